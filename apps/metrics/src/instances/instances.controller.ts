import { Controller, Get } from '@nestjs/common';
import { InstanceRegistry, type InstanceView } from './instance-registry';

@Controller('instances')
export class InstancesController {
  constructor(private readonly registry: InstanceRegistry) {}

  @Get()
  list(): { instances: InstanceView[] } {
    return { instances: this.registry.list(Date.now()) };
  }
}

import { Controller, Get, HttpCode, Res } from '@nestjs/common';
import { ReadinessRegistry } from './readiness';

/** Liveness answers while the event loop turns; readiness checks the dependencies the service needs. */
@Controller()
export class HealthController {
  constructor(private readonly readiness: ReadinessRegistry) {}

  @Get('healthz')
  @HttpCode(200)
  liveness(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Get('readyz')
  async readinessProbe(@Res({ passthrough: true }) response: { status(code: number): unknown }): Promise<{ status: string; checks: object }> {
    const { ready, checks } = await this.readiness.evaluate();
    response.status(ready ? 200 : 503);
    return { status: ready ? 'ready' : 'not_ready', checks };
  }
}

import { Controller, Get, Res } from '@nestjs/common';
import { Telemetry } from '@chat/telemetry';

/** `GET /metrics`: this process' figures in the Prometheus text format, for scraping. */
@Controller()
export class MetricsController {
  constructor(private readonly telemetry: Telemetry) {}

  @Get('metrics')
  async metrics(@Res({ passthrough: true }) response: { setHeader(name: string, value: string): unknown }): Promise<string> {
    const text = await this.telemetry.metrics();
    response.setHeader('Content-Type', this.telemetry.contentType);
    return text;
  }
}

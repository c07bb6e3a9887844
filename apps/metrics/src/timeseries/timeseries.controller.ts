import { BadRequestException, Controller, Get, Header, Query } from '@nestjs/common';
import { z } from 'zod';
import { ClusterSeries, type ClusterTimeSeries } from './cluster-series';

@Controller('api/timeseries')
export class TimeSeriesController {
  constructor(private readonly series: ClusterSeries) {}

  /** `window`: seconds of history, 1 up to what is kept (TIMESERIES_SECONDS, also the default). */
  @Get()
  @Header('Cache-Control', 'no-store')
  columns(@Query('window') window?: string): ClusterTimeSeries {
    const parsed = z.coerce.number().int().min(1).max(this.series.capacity).optional().safeParse(window?.trim() === '' ? undefined : window);
    if (!parsed.success) throw new BadRequestException(`window: must be an integer number of seconds from 1 to ${this.series.capacity}`);
    return this.series.columns(parsed.data ?? this.series.capacity);
  }
}

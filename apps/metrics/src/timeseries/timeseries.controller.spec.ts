import { BadRequestException } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { ClusterSeries } from './cluster-series';
import { TimeSeriesController } from './timeseries.controller';

describe('TimeSeriesController', () => {
  let controller: TimeSeriesController;

  beforeEach(async () => {
    const series = new ClusterSeries(120);
    for (let i = 0; i < 200; i += 1) series.add({ t: i * 1000, messagesPerSecond: {}, connections: null, latencyMs: {}, consumerLag: null, deadLetters: null });
    const moduleRef = await Test.createTestingModule({ controllers: [TimeSeriesController], providers: [{ provide: ClusterSeries, useValue: series }] }).compile();
    controller = moduleRef.get(TimeSeriesController);
  });

  it('answers everything kept by default, and the asked window otherwise', () => {
    expect(controller.columns().t).toHaveLength(120);
    expect(controller.columns('').t).toHaveLength(120);
    expect(controller.columns('30').t).toHaveLength(30);
  });

  it('rejects a window that is not a whole number of seconds within what is kept', () => {
    for (const bad of ['0', '121', '1.5', 'ten']) expect(() => controller.columns(bad)).toThrow(BadRequestException);
  });
});

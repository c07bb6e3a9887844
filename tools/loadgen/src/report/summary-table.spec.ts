import { emptyCounters } from '../workers/messages';
import { wireFigures } from '../scenarios/context';
import type { RunResult, ScenarioResult } from './result';
import { codecRows, figureRows, summaryText } from './summary-table';

describe('figureRows', () => {
  it('prints <prefix>.<name> figures on one compact row where the first of them stood', () => {
    expect(figureRows({ sent: 2000, 'cpuUsPerMessage.gw0': 250.5, 'cpuUsPerMessage.postgres': null, delivered: 2000, 'cpuUsPerMessage.all': 1234.5, client: 'light' })).toEqual([
      ['sent', '2,000'],
      ['cpuUsPerMessage', 'gw0 250.5 · postgres - · all 1,234.5'],
      ['delivered', '2,000'],
      ['client', 'light'],
    ]);
  });
});

describe('codecs compared', () => {
  const scenario = (name: string, codec: string, figures: ScenarioResult['figures']): ScenarioResult => ({ name, codec, ok: true, errors: [], figures, latencyMs: {}, checks: [], timeline: [], durationMs: 1000 });

  it('gives bytes per frame each way and the gateways\' CPU per frame of a measured window', () => {
    const totals = { ...emptyCounters(), framesIn: 300, bytesIn: 60_000, framesOut: 100, bytesOut: 15_000 };
    const spent = [
      { label: 'gw0', group: 'gateway' as const, seconds: 0.02 },
      { label: 'router', group: 'service' as const, seconds: 5 },
    ];
    expect(wireFigures('protobuf', totals, spent, '_100')).toEqual({
      codec_100: 'protobuf',
      framesToClients_100: 300,
      bytesPerFrameToClients_100: 200,
      framesFromClients_100: 100,
      bytesPerFrameFromClients_100: 150,
      gatewayCpuUsPerFrame_100: 50,
    });
  });

  it('lines up the runs of each codec, phase by phase, in a table of their own', () => {
    const json = scenario('direct', 'json', { ...wireFigures('json', { ...emptyCounters(), framesIn: 2, bytesIn: 500, framesOut: 1, bytesOut: 200 }, []) });
    const protobuf = scenario('direct', 'protobuf', { ...wireFigures('protobuf', { ...emptyCounters(), framesIn: 2, bytesIn: 300, framesOut: 1, bytesOut: 120 }, []) });
    const result = { baselines: [], scenarios: [json, protobuf], ratios: [], profiles: [], errors: [] } as unknown as RunResult;
    expect(codecRows(result)).toEqual([
      ['direct', 'json', '250', '200', '-'],
      ['direct', 'protobuf', '150', '120', '-'],
    ]);
    expect(summaryText(result)).toContain('codecs compared');
    expect(summaryText(result)).toContain('direct [protobuf] OK');
  });
});

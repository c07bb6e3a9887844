import { figureRows } from './summary-table';

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

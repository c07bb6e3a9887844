import { count, table } from './output';

describe('table', () => {
  it('pads columns to the widest cell, right-aligns numeric columns and shows missing values as -', () => {
    expect(table(['group', 'lag'], [['router', 12], ['persistence.commands', 0], ['auth.user-admin', null]])).toBe(
      ['group                 lag', 'router                 12', 'persistence.commands    0', 'auth.user-admin         -'].join('\n'),
    );
  });

  it('keeps every row on one line, whatever a key or header holds', () => {
    expect(table(['key'], [['a\nb\tc']])).toBe('key\na\\nb\\tc');
  });

  it('prints the headers alone for no rows', () => {
    expect(table(['a', 'b'], [])).toBe('a  b');
  });
});

describe('count', () => {
  it('says one or many', () => {
    expect([count(0, 'session'), count(1, 'session'), count(2, 'dead letter')]).toEqual(['0 sessions', '1 session', '2 dead letters']);
  });
});

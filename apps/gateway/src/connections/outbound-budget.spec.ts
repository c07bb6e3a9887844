import { randomUUID } from 'node:crypto';
import { OutboundBudget, type BudgetedConnection } from './outbound-budget';

/** A connection whose backlog the test sets; shed closes it (its backlog stays), cut drops the backlog. */
class FakeConnection implements BudgetedConnection {
  readonly id = randomUUID();
  isOpen = true;
  wasCut = false;
  constructor(public bufferedAmount: number) {}
  shed(): void {
    this.isOpen = false;
  }
  cut(): void {
    this.wasCut = true;
    this.bufferedAmount = 0;
  }
}

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('OutboundBudget', () => {
  it('lets writes through while the sum of backlogs stays within the budget, without counting them', () => {
    const connections = [new FakeConnection(100), new FakeConnection(200)];
    let counts = 0;
    const budget = new OutboundBudget(1000, () => (counts++, connections));
    for (let i = 0; i < 7; i += 1) expect(budget.charge(connections[0] as FakeConnection, 100)).toBe(true);
    expect(counts).toBe(0);
    expect(connections.every((connection) => connection.isOpen)).toBe(true);
  });

  it('over the budget, closes the largest backlogs until the sum is under three quarters of it', async () => {
    const small = new FakeConnection(100);
    const large = new FakeConnection(500);
    const larger = new FakeConnection(600);
    const connections = [small, large, larger];
    const budget = new OutboundBudget(1000, () => connections);
    // 1,200 queued (as the periodic count finds): the next charge sheds the largest (1,210 → 610, under 750).
    expect(budget.count()).toBe(1200);
    expect(budget.charge(small, 10)).toBe(true);
    expect([small.isOpen, large.isOpen, larger.isOpen]).toEqual([true, true, false]);
    expect(budget.estimatedBytes).toBeLessThanOrEqual(750);
  });

  it('tells the writer when its own socket was the one closed', async () => {
    const hog = new FakeConnection(900);
    const budget = new OutboundBudget(1000, () => [hog, new FakeConnection(10)]);
    budget.count();
    expect(budget.charge(hog, 200)).toBe(false);
    expect(hog.isOpen).toBe(false);
  });

  it('cuts sockets already closing before it closes open ones: they were told, and their backlog is dropped at once', async () => {
    const closing = new FakeConnection(700);
    closing.isOpen = false;
    const open = new FakeConnection(500);
    const budget = new OutboundBudget(1000, () => [closing, open]);
    await nextTurn();
    budget.enforce();
    expect(closing.wasCut).toBe(true);
    expect(open.isOpen).toBe(true);
  });

  it('counts the exact sum at most once per event-loop turn, trusting its running estimate within the turn', async () => {
    const connections = [new FakeConnection(0), new FakeConnection(0)];
    let counts = 0;
    const budget = new OutboundBudget(1000, () => (counts++, connections));
    await nextTurn();
    // Each charge passes the budget as estimated, but the bytes have drained: one count per turn.
    for (let turn = 0; turn < 3; turn += 1) {
      expect(budget.charge(connections[0] as FakeConnection, 1001)).toBe(true);
      expect(budget.charge(connections[1] as FakeConnection, 1001)).toBe(true);
      await nextTurn();
    }
    // Per turn: the first charge counts (nothing queued); the second trusts the estimate and looks for backlogs to shed.
    expect(counts).toBe(3 * 2);
    expect(connections.some((connection) => connection.isOpen)).toBe(true);
  });
});

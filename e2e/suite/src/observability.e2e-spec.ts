import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { useChatSuite } from './support/chat-suite';
import { type TestDevice, type TestUser, useChatUsers } from './support/chat-users';
import { e2e } from './support/environment';
import { expectEventually } from '@chat/testing';
import { launchHeadlessChromium } from './support/observability-browser';
import { ClusterFigures, growth, type Overview, type PipelineFigures, uniformGrowth } from './support/observability-cluster';

/*
 * Observability against the whole suite: every stage counter and latency histogram accounts for
 * exactly the messages sent, both in each service's own /metrics and in what the metrics service
 * aggregated from the samples on ops.metrics; consumer lag drains; a killed instance is flagged;
 * the dashboard draws it all in a real (headless) browser. Short sample, heartbeat and lag-poll
 * intervals keep the waits short.
 */

const SAMPLE_INTERVAL_MS = 500;

const suite = useChatSuite({
  label: 'observability',
  // Gateway 0 carries every user (rate limits raised: the lag test sends bursts); gateway 1 none:
  // it is the instance the missing-instance test kills.
  gateways: [{ env: { WS_RATE_PER_SECOND: '2000', WS_RATE_BURST: '4000' } }, {}],
  env: {
    METRICS_SAMPLE_INTERVAL_MS: String(SAMPLE_INTERVAL_MS),
    HEARTBEAT_INTERVAL_MS: '500',
    LAG_POLL_INTERVAL_MS: '1000',
  },
});
const users = useChatUsers(suite);
const cluster = new ClusterFigures(suite);

/**
 * The groups the chat traffic flows through: a message goes gateway → chat.commands → persistence →
 * chat.delivery.<gw> → gateway (the router routes typing and presence, not messages).
 */
const chatGroups = (): string[] => ['persistence.commands', `gateway.${suite().gatewayId(0)}`];

interface Conversation {
  sender: TestDevice;
  recipient: TestDevice;
  conversationId: string;
}

/**
 * Two users on gateway 0, one device each, in a direct conversation; returns once the router routes
 * to the recipient (the sender was told the recipient is online), so every message sent from here
 * on is delivered live.
 */
async function directConversation(): Promise<Conversation> {
  const alice: TestUser = await users.register('alice');
  const bob: TestUser = await users.register('bob');
  const sender = await users.connect(alice);
  const conversation = await sender.client.openDirect(bob.userId);
  await expectEventually(() => expect(sender.memberAdded.map((f) => f.conversationId)).toContain(conversation.conversationId));
  const recipient = await users.connect(bob);
  await expectEventually(() => expect(sender.lastPresenceOf(bob.userId)).toBe(true));
  return { sender, recipient, conversationId: conversation.conversationId };
}

/**
 * Sends `bodies` from the sender, one after the other or all at once (records then pile up on the
 * way), and waits until both devices received every one as a message frame.
 */
async function exchange({ sender, recipient, conversationId }: Conversation, bodies: string[], { concurrently = false } = {}): Promise<void> {
  const seenBefore = recipient.seen(conversationId).length;
  if (concurrently) await Promise.all(bodies.map((body) => sender.client.send(conversationId, body)));
  else for (const body of bodies) await sender.client.send(conversationId, body);
  await expectEventually(() => {
    expect(recipient.seen(conversationId).length - seenBefore).toBe(bodies.length);
    expect(sender.seen(conversationId).length - seenBefore).toBe(bodies.length);
  });
}

type Readings = Record<'counted' | 'aggregated' | 'exported', PipelineFigures>;

/** Each reading's growth since `before`. */
function grown(before: Readings, after: Readings): Readings {
  return { counted: growth(before.counted, after.counted), aggregated: growth(before.aggregated, after.aggregated), exported: growth(before.exported, after.exported) };
}

const readAll = async (): Promise<Readings> => {
  const [counted, aggregated, exported] = await Promise.all([cluster.counted([0, 1]), cluster.aggregated(), cluster.exported()]);
  return { counted, aggregated, exported };
};

/**
 * The pipeline figures once the metrics service has caught up with the services: its aggregated
 * stage totals (JSON and Prometheus) equal the sum of the services' own counters. (Its latency
 * counts start when it started, so only their growth is comparable.)
 */
async function settled(): Promise<Readings> {
  return expectEventually(
    async () => {
      const readings = await readAll();
      expect({ aggregated: readings.aggregated.stages, exported: readings.exported.stages }).toEqual({ aggregated: readings.counted.stages, exported: readings.counted.stages });
      return readings;
    },
    { timeoutMs: 20_000 },
  );
}

/** Waits until the metrics service received `samples` newer samples from every live instance of the suite. */
async function moreSamples(samples: number): Promise<void> {
  const lastSamples = (overview: Overview): Map<string, number> =>
    new Map(overview.instances.filter((i) => !i.missing && i.lastSampleAt !== null).map((i) => [i.instanceId, i.lastSampleAt as number]));
  const start = lastSamples(await cluster.overview());
  await expectEventually(
    async () => {
      const now = lastSamples(await cluster.overview());
      for (const [instanceId, at] of start) expect({ instanceId, newer: (now.get(instanceId) ?? 0) >= at + samples * SAMPLE_INTERVAL_MS }).toEqual({ instanceId, newer: true });
    },
    { timeoutMs: 20_000 },
  );
}

function lagOf(overview: Overview, groupId: string): Overview['consumerLag']['groups'][number] | undefined {
  return overview.consumerLag.groups.find((g) => g.groupId === groupId);
}

describe('observability, end to end', () => {
  it('N messages raise every stage counter by exactly N and add N latency values per span, in each service and in the cluster aggregate', async () => {
    const n = 25;
    const conversation = await directConversation();
    const before = await settled();

    await exchange(conversation, Array.from({ length: n }, (_, i) => `counted ${i + 1}`));

    // accepted (gateway), stored (persistence), routed (router), delivered (to bob's one socket),
    // echoed (to alice's one socket); the spans take one value per message each.
    const expected: Readings = { counted: uniformGrowth(n), aggregated: uniformGrowth(n), exported: uniformGrowth(n) };
    await expectEventually(async () => expect(grown(before, await readAll())).toEqual(expected), { timeoutMs: 20_000 });
    // Exactly, not at least: nothing more arrives in the next samples (a double count would show here).
    await moreSamples(2);
    expect(grown(before, await settled())).toEqual(expected);
  });

  it('consumer lag of the chat groups returns to zero once traffic stops', async () => {
    const conversation = await directConversation();
    await exchange(
      conversation,
      Array.from({ length: 60 }, (_, i) => `burst ${i + 1}`),
      { concurrently: true },
    );

    const trafficStopped = Date.now();
    const overview = await expectEventually(
      async () => {
        const current = await cluster.overview();
        expect(current.consumerLag.error).toBeNull();
        expect(current.consumerLag.polledAt).toBeGreaterThan(trafficStopped);
        for (const groupId of chatGroups()) {
          const group = lagOf(current, groupId);
          expect({ groupId, reported: group !== undefined, lag: group?.lag }).toEqual({ groupId, reported: true, lag: 0 });
        }
        return current;
      },
      { timeoutMs: 30_000 },
    );
    // Every partition the groups committed on is read, none unknown.
    for (const groupId of chatGroups()) {
      const group = lagOf(overview, groupId);
      expect(group?.partitions.length).toBeGreaterThan(0);
      for (const partition of group?.partitions ?? []) expect({ groupId, ...partition }).toEqual({ groupId, topic: partition.topic, partition: partition.partition, lag: 0 });
    }
  });

  it('an instance killed with SIGKILL is flagged missing while the others stay present', async () => {
    const victim = suite().gatewayId(1);
    const instanceOf = (overview: Overview, instanceId: string) => overview.instances.find((i) => i.instanceId === instanceId);
    await expectEventually(async () => expect(instanceOf(await cluster.overview(), victim)).toMatchObject({ service: 'gateway', missing: false }));

    await suite().killGateway(1, 'SIGKILL');

    const overview = await expectEventually(
      async () => {
        const current = await cluster.overview();
        expect(instanceOf(current, victim)).toMatchObject({ service: 'gateway', missing: true });
        // A missing gateway's connections no longer count (its gauge may leave an overview after the flag).
        expect(current.connections.byGateway.map((g) => g.instanceId)).not.toContain(victim);
        return current;
      },
      { timeoutMs: 20_000 },
    );
    // The suite's other five instances (ids share the run suffix, e.g. gw1-<run> and router-<run>) still report.
    const run = victim.slice(victim.indexOf('-'));
    const survivors = overview.instances.filter((i) => i.instanceId.endsWith(run) && i.instanceId !== victim);
    expect(survivors.map((i) => ({ service: i.service, missing: i.missing })).sort((a, b) => a.service.localeCompare(b.service))).toEqual(
      ['auth', 'gateway', 'metrics', 'persistence', 'router'].map((service) => ({ service, missing: false })),
    );
  });

  it('the dashboard renders every chart with data in headless Chromium, and a screenshot is saved', async () => {
    const conversation = await directConversation();
    const browser = await launchHeadlessChromium();
    const pageErrors: string[] = [];
    browser.page.on('pageerror', (error) => pageErrors.push(error.message));
    // Traffic while the page is open, so the throughput and latency charts have something to draw.
    let sending = true;
    const traffic = (async () => {
      for (let i = 1; sending; i++) {
        await conversation.sender.client.send(conversation.conversationId, `live ${i}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    })();
    try {
      const response = await browser.page.goto(`${cluster.metricsUrl}/dashboard`, { waitUntil: 'load' });
      expect(response?.status()).toBe(200);

      const charts = await expectEventually(
        async () => {
          const drawn = await browser.page.$$eval('[data-chart]', (elements) =>
            elements.map((el) => ({ chart: el.getAttribute('data-chart') ?? '', points: Number(el.getAttribute('data-points') ?? '0') })),
          );
          expect(drawn.map((c) => c.chart)).toEqual(expect.arrayContaining(['throughput', 'latency', 'connections', 'lag', 'instances']));
          for (const { chart, points } of drawn) expect({ chart, hasData: points > 0 }).toEqual({ chart, hasData: true });
          return drawn;
        },
        { timeoutMs: 30_000, intervalMs: 250 },
      );
      expect(charts.length).toBeGreaterThanOrEqual(5);
      expect(pageErrors).toEqual([]);

      // The screenshot shows the live traffic: the cluster measures it, and the page drew a newer point since.
      await expectEventually(async () => {
        const accepted = (await cluster.overview()).messages.stages.find((stage) => stage.stage === 'accepted');
        expect(accepted?.perSecond).toBeGreaterThan(1);
      });
      const throughputPoints = async (): Promise<number> => Number(await browser.page.getAttribute('[data-chart="throughput"]', 'data-points'));
      const drawnBefore = await throughputPoints();
      await expectEventually(async () => expect(await throughputPoints()).toBeGreaterThan(drawnBefore), { intervalMs: 250 });

      const screenshot = path.join(e2e.workspaceRoot, 'test-artifacts', 'dashboard.png');
      await mkdir(path.dirname(screenshot), { recursive: true });
      await browser.page.screenshot({ path: screenshot, fullPage: true });
    } finally {
      sending = false;
      await traffic;
      await browser.close();
    }
  });
});

import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { WebSocket } from 'ws';
import { MAX_CLIENT_FRAME_BYTES } from '@chat/protocol';
import { LatencyHistogram } from '../report/latency';
import { pace } from './pacing';
import { readTimedPayload, timedPayload } from './payload';
import { throughput, waitUntil, type BaselineResult } from './result';
import type { EchoServerReady } from './ws-echo-server';

export interface WsEchoOptions {
  connections: number;
  messages: number;
  /** Messages per second over all connections; as fast as possible when absent. */
  ratePerSecond?: number;
  payloadBytes?: number;
}

const DEFAULT_PAYLOAD_BYTES = 200;
const START_TIMEOUT_MS = 10000;
const DRAIN_TIMEOUT_MS = 60000;
/** Messages per connection sent in one event-loop turn when going as fast as possible. */
const OPEN_BATCH = 100;

/**
 * A raw `ws` echo server in a child process (its own core, like a gateway) and N client sockets in
 * this process sending JSON text frames round-robin at a rate; latency is send → echo read back.
 */
export async function runWsEchoBaseline(options: WsEchoOptions): Promise<BaselineResult> {
  const payloadBytes = options.payloadBytes ?? DEFAULT_PAYLOAD_BYTES;
  const server = await forkEchoServer();
  const sockets: WebSocket[] = [];
  try {
    const url = `ws://127.0.0.1:${server.port}/ws`;
    const latency = new LatencyHistogram();
    let received = 0;
    let lastReceivedAt = 0;
    for (let i = 0; i < options.connections; i += 1) sockets.push(new WebSocket(url, { perMessageDeflate: false }));
    await Promise.all(sockets.map(opened));
    for (const socket of sockets) {
      socket.on('message', (data) => {
        const now = performance.now();
        latency.record(now - readTimedPayload(data.toString()).sentAt);
        received += 1;
        lastReceivedAt = now;
      });
    }
    const startedAt = performance.now();
    await pace(options.messages, (index) => sockets[index % sockets.length].send(timedPayload(index, performance.now(), payloadBytes)), {
      ratePerSecond: options.ratePerSecond,
      burst: OPEN_BATCH * sockets.length,
    });
    await waitUntil(() => received >= options.messages, DRAIN_TIMEOUT_MS, () => `ws echo baseline: ${received} of ${options.messages} echoes after ${DRAIN_TIMEOUT_MS} ms`);
    const durationMs = lastReceivedAt - startedAt;
    return {
      name: 'ws-echo',
      messages: options.messages,
      durationMs: Math.round(durationMs),
      messagesPerSecond: throughput(options.messages, durationMs),
      latencyMs: latency.summary(),
      settings: { connections: options.connections, ratePerSecond: options.ratePerSecond ?? 'max', payloadBytes, perMessageDeflate: 'false', maxPayload: MAX_CLIENT_FRAME_BYTES },
    };
  } finally {
    for (const socket of sockets) socket.terminate();
    server.child.kill();
  }
}

function opened(socket: WebSocket): Promise<void> {
  return new Promise((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
}

/** Forks ws-echo-server (compiled .js, or .ts under swc when run from sources) and waits for its port. */
async function forkEchoServer(): Promise<EchoServerReady & { child: ChildProcess }> {
  const extension = path.extname(__filename);
  const script = path.join(__dirname, `ws-echo-server${extension}`);
  const child = fork(script, [String(MAX_CLIENT_FRAME_BYTES)], { execArgv: extension === '.ts' ? ['-r', '@swc-node/register'] : [], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const ready = await new Promise<EchoServerReady>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`ws echo server did not start within ${START_TIMEOUT_MS} ms`)), START_TIMEOUT_MS);
    child.once('message', (message: EchoServerReady) => {
      clearTimeout(timer);
      resolve(message);
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`ws echo server exited with ${code}`));
    });
  }).catch((error: unknown) => {
    child.kill();
    throw error;
  });
  return { ...ready, child };
}

/**
 * A consumer-group member in its own process, for the tests that kill consumers for real.
 * Prints one JSON line per event on stdout: {"event":"joined"|"handled", ...}.
 *   KAFKA_BROKERS, TOPIC, GROUP_ID   where to consume
 *   BLOCK_AFTER_HANDLING=1           handle a record, report it, then never finish (so never commit)
 *   SESSION_TIMEOUT_MS               how fast the group notices this process is gone
 */
import 'reflect-metadata';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { KafkaConsumerFactory, kafkaSecurityFromEnv, KafkaModule, type ConsumedRecord } from '@chat/kafka';

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is required`);
  return value;
}

const brokers = required('KAFKA_BROKERS').split(',');
const topic = required('TOPIC');
const groupId = required('GROUP_ID');
const blockAfterHandling = process.env['BLOCK_AFTER_HANDLING'] === '1';
const sessionTimeoutMs = Number(process.env['SESSION_TIMEOUT_MS'] ?? 30000);

function emit(event: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify(event)}\n`);
}

@Module({
  imports: [
    KafkaModule.forRootAsync({
      // TLS and SASL as the suite gives them (KAFKA_SECURITY_PROTOCOL etc., the admin principal).
      useFactory: () => ({ clientId: `worker-${process.pid}`, brokers, security: kafkaSecurityFromEnv(process.env), topics: [], replicationFactor: 1 }),
    }),
  ],
})
class WorkerModule {}

async function main(): Promise<void> {
  const app = await NestFactory.createApplicationContext(WorkerModule, { logger: ['error', 'warn'] });
  app.enableShutdownHooks(['SIGTERM', 'SIGINT']);
  const consumer = app.get(KafkaConsumerFactory).create({
    groupId,
    topics: [topic],
    sessionTimeoutMs,
    handle: async (record: ConsumedRecord) => {
      emit({ event: 'handled', pid: process.pid, key: record.key, value: record.value?.toString('utf8'), partition: record.partition, offset: record.offset });
      if (blockAfterHandling) await new Promise<never>(() => undefined);
    },
  });
  await consumer.start();
  // Report every new assignment, so a test can see partitions move between members.
  let reported = '';
  setInterval(() => {
    const { joined, assignment } = consumer.status();
    const partitions = assignment[topic] ?? [];
    const current = JSON.stringify(partitions);
    if (joined && current !== reported) {
      reported = current;
      emit({ event: 'joined', pid: process.pid, partitions });
    }
  }, 50).unref();
}

void main();

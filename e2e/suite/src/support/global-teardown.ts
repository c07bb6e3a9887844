import { rm } from 'node:fs/promises';

export default async function globalTeardown(): Promise<void> {
  const infra = globalThis.__E2E_INFRA__;
  if (!infra) return;
  await infra.broker?.stop();
  await infra.postgres?.stop();
  if (!process.env['E2E_KEEP_TEMP']) await rm(infra.tempDir, { recursive: true, force: true });
}

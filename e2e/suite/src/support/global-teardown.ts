import { rm } from 'node:fs/promises';

export default async function globalTeardown(): Promise<void> {
  const shared = globalThis.__E2E_INFRA__;
  if (!shared) return;
  await shared.infra.stop();
  if (!process.env['E2E_KEEP_TEMP']) await rm(shared.tempDir, { recursive: true, force: true });
}

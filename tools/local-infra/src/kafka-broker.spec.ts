import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { startKafkaBroker } from './kafka-broker';

describe('startKafkaBroker on a data dir of a plaintext run', () => {
  let dir: string;

  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'kafka-broker-spec-'));
  });

  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('refuses to start it with SASL_SSL, naming the directory and the fix, before touching anything', async () => {
    // What a plaintext run leaves: a formatted KRaft log dir and no SCRAM users' passwords.
    const dataDir = path.join(dir, 'kafka');
    await mkdir(path.join(dataDir, 'kraft-logs'), { recursive: true });
    await writeFile(path.join(dataDir, 'kraft-logs', 'meta.properties'), 'version=1\n');
    const tlsDir = path.join(dir, 'tls');

    await expect(startKafkaBroker({ dataDir, secure: true, tlsDir, libsDir: path.join(dir, 'no-jars'), port: 1, controllerPort: 2 })).rejects.toThrow(
      `the Kafka data in ${dataDir} was made by a plaintext broker and has no SCRAM users: delete that directory (its topics are lost) or run with KAFKA_SECURITY_PROTOCOL=PLAINTEXT`,
    );
    // No certificate made, no passwords written, no broker configured.
    expect((await readdir(dir)).sort()).toEqual(['kafka']);
    expect((await readdir(dataDir)).sort()).toEqual(['kraft-logs']);
  });
});

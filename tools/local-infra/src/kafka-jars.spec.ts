import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ensureKafkaJars, kafkaLibsDir, parseJavaMajor, readKafkaVersion } from './kafka-jars';
import { findWorkspaceRoot } from './workspace';

const VERSION = '9.9.9';

/** A throwaway workspace with just the pom, and a bin dir that stands in for PATH. */
async function fakeWorkspace(): Promise<{ root: string; bin: string; env: NodeJS.ProcessEnv }> {
  const root = await mkdtemp(path.join(os.tmpdir(), 'local-infra-jars-'));
  await mkdir(path.join(root, 'tools', 'kafka'), { recursive: true });
  await writeFile(
    path.join(root, 'tools', 'kafka', 'pom.xml'),
    `<project><properties><kafka.version>${VERSION}</kafka.version></properties></project>`,
  );
  const bin = path.join(root, 'bin');
  await mkdir(bin);
  return { root, bin, env: { PATH: bin } };
}

async function fakeCommand(bin: string, name: string, script: string): Promise<void> {
  await writeFile(path.join(bin, name), `#!/bin/sh\n${script}\n`);
  await chmod(path.join(bin, name), 0o755);
}

const JAVA_17 = `echo 'openjdk version "17.0.15" 2025-04-15' >&2`;

describe('ensureKafkaJars', () => {
  const roots: string[] = [];
  // PATH holds only the fake commands, so the stand-in scripts use absolute paths for real tools.
  beforeAll(() => jest.spyOn(console, 'log').mockImplementation(() => undefined));
  afterAll(() => Promise.all(roots.map((root) => rm(root, { recursive: true, force: true }))));
  const workspace = async () => {
    const ws = await fakeWorkspace();
    roots.push(ws.root);
    return ws;
  };

  it('names both java and mvn when neither is on PATH, and the alternatives', async () => {
    const { root, env } = await workspace();
    const error: Error = await ensureKafkaJars(root, { env }).then(
      () => {
        throw new Error('expected a rejection');
      },
      (e: Error) => e,
    );
    expect(error.message).toContain('`java` (JDK 17+) is not on PATH');
    expect(error.message).toContain('`mvn`');
    expect(error.message).toContain('KAFKA_BROKERS');
    expect(error.message).toContain('docker compose up');
  });

  it('names only mvn when java is there but the jars still need downloading', async () => {
    const { root, bin, env } = await workspace();
    await fakeCommand(bin, 'java', JAVA_17);
    const error = await ensureKafkaJars(root, { env }).catch((e: Error) => e);
    expect(String(error)).toContain('`mvn`');
    expect(String(error)).not.toContain('`java`');
    expect(String(error)).toContain('KAFKA_BROKERS');
  });

  it('rejects a Java that is too old for Kafka 4', async () => {
    const { root, bin, env } = await workspace();
    await fakeCommand(bin, 'java', `echo 'java version "11.0.2" 2019-01-15 LTS' >&2`);
    await fakeCommand(bin, 'mvn', 'exit 0');
    await expect(ensureKafkaJars(root, { env })).rejects.toThrow('Java 11, Kafka 9.9.9 needs Java 17+');
  });

  it('does not need mvn once the jars are there', async () => {
    const { root, bin, env } = await workspace();
    await fakeCommand(bin, 'java', JAVA_17);
    const libs = kafkaLibsDir(root, VERSION);
    await mkdir(libs, { recursive: true });
    await writeFile(path.join(libs, `kafka_2.13-${VERSION}.jar`), '');
    await expect(ensureKafkaJars(root, { env })).resolves.toBe(libs);
  });

  it('runs maven on the pom when the jars are missing', async () => {
    const { root, bin, env } = await workspace();
    await fakeCommand(bin, 'java', JAVA_17);
    // Stand-in for `mvn -q -B -f <pom> package`: records its arguments and "downloads" the jar.
    const libs = kafkaLibsDir(root, VERSION);
    await fakeCommand(
      bin,
      'mvn',
      `[ "$1" = "-v" ] && exit 0\necho "$@" > "${root}/mvn-args"\n/bin/mkdir -p "${libs}" && : > "${libs}/kafka_2.13-${VERSION}.jar"`,
    );
    await expect(ensureKafkaJars(root, { env })).resolves.toBe(libs);
    expect((await readFile(path.join(root, 'mvn-args'), 'utf8')).trim()).toBe(
      `-q -B -f ${path.join(root, 'tools', 'kafka', 'pom.xml')} package`,
    );
  });

  it('reports a maven run that produced no jar', async () => {
    const { root, bin, env } = await workspace();
    await fakeCommand(bin, 'java', JAVA_17);
    await fakeCommand(bin, 'mvn', 'exit 0');
    await expect(ensureKafkaJars(root, { env })).rejects.toThrow(`no kafka_2.13-${VERSION}.jar`);
  });
});

describe('Kafka version', () => {
  it('comes from the real pom', async () => {
    await expect(readKafkaVersion(findWorkspaceRoot())).resolves.toMatch(/^\d+\.\d+\.\d+$/);
  });

  it.each([
    ['openjdk version "17.0.15" 2025-04-15', 17],
    ['openjdk version "21" 2023-09-19', 21],
    ['java version "1.8.0_402"', 8],
    ['no version here', undefined],
  ])('parseJavaMajor(%s) = %s', (output, major) => {
    expect(parseJavaMajor(output)).toBe(major);
  });
});

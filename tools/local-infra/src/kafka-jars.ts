import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';

/** The pom that resolves the broker jars; its <kafka.version> is the single source of the version. */
export const KAFKA_POM = path.join('tools', 'kafka', 'pom.xml');
/** Kafka 4 brokers need Java 17 or newer. */
export const MIN_JAVA_MAJOR = 17;

const ALTERNATIVES =
  'Alternatives: set KAFKA_BROKERS=host:port to use a Kafka broker you already run, ' +
  'or start the containerised stack with `docker compose up`.';

export interface EnsureKafkaJarsOptions {
  /** Environment for looking up and running `java`/`mvn` (its PATH decides what is found). Default: process.env. */
  env?: NodeJS.ProcessEnv;
}

export async function readKafkaVersion(workspaceRoot: string): Promise<string> {
  const pom = await readFile(path.join(workspaceRoot, KAFKA_POM), 'utf8');
  const match = /<kafka\.version>\s*([^<\s]+)\s*<\/kafka\.version>/.exec(pom);
  if (!match) throw new Error(`No <kafka.version> property in ${KAFKA_POM}`);
  return match[1];
}

/** Where the pom copies the jars (mirrors its kafka.libs property). */
export function kafkaLibsDir(workspaceRoot: string, version: string): string {
  return path.join(workspaceRoot, '.cache', 'kafka', version, 'libs');
}

interface Probe {
  found: boolean;
  code: number | null;
  output: string;
}

/** Runs a version command; `found` is false only when the executable is not on PATH at all. */
function probe(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<Probe> {
  return new Promise((resolve) => {
    let output = '';
    const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('error', (error: NodeJS.ErrnoException) =>
      resolve({ found: error.code !== 'ENOENT', code: null, output: output || error.message }),
    );
    child.once('close', (code) => resolve({ found: true, code, output }));
  });
}

/** Major version from `java -version` output ("17.0.15", or "1.8.0_402" for Java 8). */
export function parseJavaMajor(versionOutput: string): number | undefined {
  const match = /version "(\d+)(?:\.(\d+))?/.exec(versionOutput);
  if (!match) return undefined;
  const first = Number(match[1]);
  return first === 1 && match[2] ? Number(match[2]) : first;
}

/**
 * Returns the directory with the Kafka broker jars, downloading them with Maven on first use.
 * Checks the toolchain first so a missing JDK/Maven gives one clear message instead of a spawn error.
 */
export async function ensureKafkaJars(workspaceRoot: string, options: EnsureKafkaJarsOptions = {}): Promise<string> {
  const env = options.env ?? process.env;
  const version = await readKafkaVersion(workspaceRoot);
  const libsDir = kafkaLibsDir(workspaceRoot, version);
  const jarsPresent = existsSync(path.join(libsDir, `kafka_2.13-${version}.jar`));

  const problems: string[] = [];
  const java = await probe('java', ['-version'], env);
  if (!java.found) {
    problems.push(`\`java\` (JDK ${MIN_JAVA_MAJOR}+) is not on PATH`);
  } else {
    const major = parseJavaMajor(java.output);
    if (java.code !== 0) problems.push(`\`java -version\` failed: ${java.output.trim()}`);
    else if (major !== undefined && major < MIN_JAVA_MAJOR)
      problems.push(`\`java\` is Java ${major}, Kafka ${version} needs Java ${MIN_JAVA_MAJOR}+`);
  }
  if (!jarsPresent) {
    const mvn = await probe('mvn', ['-v'], env);
    if (!mvn.found) problems.push('`mvn` (Apache Maven, needed once to download the Kafka jars) is not on PATH');
    else if (mvn.code !== 0) problems.push(`\`mvn -v\` failed: ${mvn.output.trim()}`);
  }
  if (problems.length > 0) {
    throw new Error(`Cannot run a local Kafka ${version} broker: ${problems.join('; ')}.\n${ALTERNATIVES}`);
  }
  if (jarsPresent) return libsDir;

  console.log(`[local-infra] downloading Apache Kafka ${version} jars with Maven into ${libsDir} (first run only)…`);
  const code = await new Promise<number | null>((resolve) => {
    const child = spawn('mvn', ['-q', '-B', '-f', path.join(workspaceRoot, KAFKA_POM), 'package'], {
      cwd: workspaceRoot,
      env,
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    child.once('error', () => resolve(null));
    child.once('close', resolve);
  });
  if (code !== 0) throw new Error(`\`mvn -f ${KAFKA_POM} package\` failed (exit ${code}); see its output above.\n${ALTERNATIVES}`);
  if (!existsSync(path.join(libsDir, `kafka_2.13-${version}.jar`))) {
    throw new Error(`Maven finished but ${libsDir} has no kafka_2.13-${version}.jar; check ${KAFKA_POM}.`);
  }
  return libsDir;
}

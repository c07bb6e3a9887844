import { idOf, type Manifest } from '../manifest';

/** What each check guards; a test can assert that a broken manifest trips the right one. */
export type CheckName =
  | 'schema'
  | 'references'
  | 'selectors'
  | 'probes'
  | 'resources'
  | 'security'
  | 'shutdown'
  | 'ports'
  | 'config'
  | 'network-policy'
  | 'kafka-credentials'
  | 'inline-secret';

export interface Problem {
  check: CheckName;
  /** `Kind/name` of the object at fault. */
  object: string;
  message: string;
}

export function problem(check: CheckName, manifest: Manifest | string, message: string): Problem {
  return { check, object: typeof manifest === 'string' ? manifest : idOf(manifest), message };
}

export function formatProblems(problems: Problem[]): string {
  return problems.map((p) => `[${p.check}] ${p.object}: ${p.message}`).join('\n');
}

import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';
import type { ConfigKeys } from '@chat/service-kit';
import { appMain, type App } from './paths';

const run = promisify(execFile);
const TIMEOUT_MS = 30000;

/** The outcome of `main.js --check-config` under an environment. */
export interface ConfigVerdict {
  valid: boolean;
  /** What the service printed: the bad variables when invalid. */
  output: string;
}

/** What the checks ask the services about their configuration; the built apps answer (ServiceConfig). */
export interface ConfigOracle {
  keys(app: App): Promise<ConfigKeys>;
  check(app: App, env: Record<string, string>): Promise<ConfigVerdict>;
}

/**
 * Asks the built services themselves (`node dist/apps/<app>/main.js --config-keys | --check-config`):
 * their zod config schemas are the one source of truth for the variables a manifest may set.
 */
export class BuiltServiceConfig implements ConfigOracle {
  private readonly keysByApp = new Map<App, Promise<ConfigKeys>>();
  private readonly verdicts = new Map<string, Promise<ConfigVerdict>>();

  keys(app: App): Promise<ConfigKeys> {
    let keys = this.keysByApp.get(app);
    if (!keys) {
      keys = run(process.execPath, [this.main(app), '--config-keys'], { env: {}, timeout: TIMEOUT_MS }).then(({ stdout }) => JSON.parse(stdout) as ConfigKeys);
      this.keysByApp.set(app, keys);
    }
    return keys;
  }

  /** Runs the service's own validation with exactly this environment (nothing inherited); one run per distinct environment. */
  check(app: App, env: Record<string, string>): Promise<ConfigVerdict> {
    const key = JSON.stringify([app, Object.entries(env).sort(([a], [b]) => (a < b ? -1 : 1))]);
    let verdict = this.verdicts.get(key);
    if (!verdict) {
      verdict = this.runCheck(app, env);
      this.verdicts.set(key, verdict);
    }
    return verdict;
  }

  private async runCheck(app: App, env: Record<string, string>): Promise<ConfigVerdict> {
    try {
      const { stdout } = await run(process.execPath, [this.main(app), '--check-config'], { env, timeout: TIMEOUT_MS });
      return { valid: true, output: stdout.trim() };
    } catch (error) {
      const failure = error as { code?: number; stdout?: string; stderr?: string };
      // 78: the service rejected the configuration; anything else is a broken build, not a finding.
      if (failure.code !== 78) throw error;
      const lines = (failure.stderr ?? '').split('\n').filter((line) => line.startsWith('  '));
      return { valid: false, output: lines.map((line) => line.trim()).join('; ') };
    }
  }

  private main(app: App): string {
    const main = appMain(app);
    if (!existsSync(main)) {
      throw new Error(`${main} is missing: build the services first (npx nx run-many -t build --projects=tag:type:app; the deploy-checks test target does it)`);
    }
    return main;
  }
}

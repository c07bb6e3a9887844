/**
 * The load generator: `node dist/tools/loadgen/main.js <scenario...|all> [options]` (see --help),
 * and, started by itself with WORKER_FLAG, one of its worker processes.
 */
import { WORKER_FLAG } from './workers/worker-pool';

if (process.argv.includes(WORKER_FLAG)) {
  (require('./workers/worker-main') as typeof import('./workers/worker-main')).runWorker();
} else {
  (require('./cli/run') as typeof import('./cli/run')).runCli(process.argv.slice(2));
}

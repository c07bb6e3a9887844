/**
 * chatctl, the operators' command line: `node dist/tools/chatctl/main.js <command>` (see --help and
 * tools/chatctl/README.md). Talks to the cluster only through Kafka, as the services do.
 */
import { runChatctl } from './cli/run';

void runChatctl(process.argv.slice(2)).then((status) => {
  // Output is written (stdout and stderr are synchronous on pipes and files); kafkajs may still hold timers.
  process.exit(status);
});

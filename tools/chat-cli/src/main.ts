/**
 * The terminal chat client: `node dist/tools/chat-cli/main.js [register|login <username> | logout]`
 * (see --help and tools/chat-cli/README.md). Chats at a prompt on a terminal; runs one command per
 * line from stdin or --script otherwise.
 */
import { runCli } from './cli/run';

runCli(process.argv.slice(2)).then(
  (status) => process.exit(status),
  (error: unknown) => {
    // Only a bug gets here: user errors are reported by runCli.
    console.error(error);
    process.exit(70);
  },
);

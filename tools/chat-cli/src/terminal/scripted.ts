import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import type { ChatController } from '../chat/chat-controller';
import { parseCommand } from '../chat/commands';
import { CliError, describeFailure } from '../chat/errors';
import type { CliEvent } from '../chat/events';
import { plainStyle, renderEvent } from '../chat/render';

export interface ScriptOutput {
  json: boolean;
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

/** The event sink of scripted mode: NDJSON (`--json`) or the terminal's lines without colour. */
export function scriptSink(output: ScriptOutput): (event: CliEvent) => void {
  return (event) => {
    if (output.json) {
      output.stdout(`${JSON.stringify(event)}\n`);
      return;
    }
    const text = renderEvent(event, plainStyle);
    if (text !== undefined) output.stdout(`${text}\n`);
  };
}

/** The lines of `--script <file>`, or of stdin. */
export function scriptSource(file: string | undefined, stdin: Readable = process.stdin): Readable {
  return file === undefined ? stdin : createReadStream(file, 'utf8');
}

/**
 * Runs the commands one after another, each finished before the next starts (a send waits until
 * stored, /wait until its condition holds). The first failure ends the run: exit 1 with the line
 * number and what went wrong on stderr (and an `error` event with --json).
 */
export async function runScript(controller: ChatController, source: Readable, output: ScriptOutput, fatal: Promise<Error>, sourceName: string): Promise<number> {
  const fail = (error: unknown, lineNumber?: number): number => {
    const { code, message } = describeFailure(error);
    const where = lineNumber === undefined ? '' : `${sourceName} line ${lineNumber}: `;
    if (output.json) output.stdout(`${JSON.stringify({ event: 'error', code, message: `${where}${message}` })}\n`);
    output.stderr(`chat-cli: ${where}${message}\n`);
    return 1;
  };
  const rl = createInterface({ input: source, terminal: false, crlfDelay: Infinity });
  const fatalOutcome = fatal.then((error) => ({ fatal: error }));
  let lineNumber = 0;
  try {
    for await (const line of rl) {
      lineNumber++;
      let command;
      try {
        command = parseCommand(line);
      } catch (error) {
        return fail(error, lineNumber);
      }
      if (!command) continue;
      const outcome = await Promise.race([controller.execute(command).then((value) => ({ value }), (error: unknown) => ({ error })), fatalOutcome]);
      if ('fatal' in outcome) return fail(outcome.fatal, lineNumber);
      if ('error' in outcome) return fail(outcome.error, lineNumber);
      if (outcome.value === 'quit') return 0;
    }
  } catch (error) {
    return fail(new CliError('unreadable_script', `cannot read ${sourceName}: ${(error as Error).message}`));
  } finally {
    rl.close();
  }
  return 0;
}

import { createInterface } from 'node:readline';
import { CliError } from '../chat/errors';
import type { Prompts } from '../session/login';

/** Questions at the terminal: a visible answer through readline, a password in raw mode without echo. */
export function terminalPrompts(input: NodeJS.ReadStream = process.stdin, output: NodeJS.WriteStream = process.stdout): Prompts {
  return {
    ask: (question) =>
      new Promise((resolve) => {
        const rl = createInterface({ input, output, terminal: true });
        rl.question(question, (answer) => {
          rl.close();
          resolve(answer);
        });
      }),
    secret: (question) => readSecret(question, input, output),
  };
}

function readSecret(question: string, input: NodeJS.ReadStream, output: NodeJS.WriteStream): Promise<string> {
  return new Promise((resolve, reject) => {
    output.write(question);
    const wasRaw = input.isRaw;
    input.setRawMode(true);
    input.setEncoding('utf8');
    input.resume();
    let value = '';
    const finish = () => {
      input.off('data', onData);
      input.setRawMode(wasRaw);
      input.pause();
      output.write('\n');
    };
    function onData(chunk: string): void {
      for (const char of chunk) {
        if (char === '\r' || char === '\n' || char === '\u0004') {
          finish();
          resolve(value);
          return;
        }
        if (char === '\u0003') {
          finish();
          reject(new CliError('cancelled', 'cancelled'));
          return;
        }
        if (char === '\u007f' || char === '\b') value = value.slice(0, -1);
        else if (char >= ' ') value += char;
      }
    }
    input.on('data', onData);
  });
}

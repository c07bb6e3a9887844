import { clearLine, createInterface, cursorTo, type Interface } from 'node:readline';
import type { ChatController } from '../chat/chat-controller';
import { CommandError, parseCommand } from '../chat/commands';
import { describeFailure } from '../chat/errors';
import type { CliEvent } from '../chat/events';
import { renderEvent, type Style, typingLine } from '../chat/render';

/**
 * The chat at a prompt: incoming lines are printed above the line being typed (which is redrawn),
 * the prompt names the open conversation and who is typing in it, and keys typed into a message
 * tell the others you are typing.
 */
export class InteractiveTerminal {
  private rl: Interface | undefined;
  private controller: ChatController | undefined;
  private commands: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly style: Style,
    private readonly input: NodeJS.ReadStream = process.stdin,
    private readonly output: NodeJS.WriteStream = process.stdout,
  ) {}

  /** The event sink: before `run`, lines are just printed. */
  readonly emit = (event: CliEvent): void => {
    const text = renderEvent(event, this.style);
    if (text !== undefined) this.print(text);
    else this.refreshPrompt();
  };

  print(text: string): void {
    if (!this.rl) {
      this.output.write(`${text}\n`);
      return;
    }
    clearLine(this.output, 0);
    cursorTo(this.output, 0);
    this.output.write(`${text}\n`);
    this.refreshPrompt();
  }

  /** Reads commands until /quit, /logout, Ctrl-D or Ctrl-C, or until `fatal` settles (the connection ended for good). */
  run(controller: ChatController, fatal: Promise<Error>): Promise<number> {
    this.controller = controller;
    const rl = createInterface({ input: this.input, output: this.output, terminal: true, historySize: 200, prompt: this.promptText() });
    this.rl = rl;
    return new Promise<number>((resolve) => {
      let done = false;
      const finish = (status: number) => {
        if (done) return;
        done = true;
        controller.stopTyping();
        this.rl = undefined;
        rl.close();
        this.input.off('keypress', onKey);
        resolve(status);
      };
      const onKey = () => setImmediate(() => !done && controller.userTyping(rl.line));
      this.input.on('keypress', onKey);
      rl.on('line', (line) => {
        let command;
        try {
          command = parseCommand(line);
        } catch (error) {
          this.print(this.style.error(`error: ${error instanceof CommandError ? error.message : String(error)}`));
          return;
        }
        if (!command) {
          rl.prompt();
          return;
        }
        // Sends go out at once and report ✓ when stored; other commands run one after another.
        const run = () =>
          controller.execute(command).then(
            (outcome) => {
              if (outcome === 'quit') finish(0);
              else this.refreshPrompt();
            },
            (error: unknown) => this.print(this.style.error(`error: ${describeFailure(error).message}`)),
          );
        if (command.kind === 'send') void run();
        else this.commands = this.commands.then(run);
        this.refreshPrompt();
      });
      rl.on('close', () => finish(0));
      rl.on('SIGINT', () => finish(0));
      void fatal.then((error) => {
        this.print(this.style.error(`error: ${error.message}`));
        finish(1);
      });
      rl.prompt();
    });
  }

  private promptText(): string {
    const controller = this.controller;
    if (!controller) return '> ';
    const name = controller.openName();
    const typing = typingLine(controller.typingInOpen());
    return `${typing ? this.style.dim(`(${typing}) `) : ''}${this.style.accent(name ?? 'chat')}> `;
  }

  private refreshPrompt(): void {
    if (!this.rl) return;
    // Redraw in place: the prompt and what is typed so far, on a cleared line.
    clearLine(this.output, 0);
    cursorTo(this.output, 0);
    this.rl.setPrompt(this.promptText());
    this.rl.prompt(true);
  }
}

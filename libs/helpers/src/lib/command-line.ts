import { parseArgs } from 'node:util';

/** The options of a command line, as `parseArgs` of node:util takes them. */
export type CommandLineOptions = Record<string, { type: 'string' | 'boolean'; short?: string }>;

/** One option as given, in command-line order (`--rate 5`, `--rate=5`, `-h`). */
export interface CommandLineOption {
  name: string;
  /** As typed: `--rate`, `-h`. */
  flag: string;
  /** A string option's value; undefined for a boolean option. */
  value?: string;
}

export interface CommandLine<O extends CommandLineOptions> {
  /** Each option's last value (a boolean option: true when given). */
  values: { [K in keyof O]?: O[K]['type'] extends 'boolean' ? boolean : string };
  positionals: string[];
  /** Every option given, in order, for options whose meaning depends on their order. */
  given: CommandLineOption[];
}

/** A command line that does not fit its options; the message says what is wrong, for the user. */
export class CommandLineError extends Error {}

/**
 * `parseArgs` (node:util) with positionals and messages for the user: `unknown option --x`,
 * `--rate needs a value`, `--keep takes no value`. Values are checked by the caller.
 */
export function parseCommandLine<O extends CommandLineOptions>(args: readonly string[], options: O): CommandLine<O> {
  const { values, positionals, tokens } = parseArgs({ args: [...args], options, allowPositionals: true, strict: false, tokens: true });
  const given: CommandLineOption[] = [];
  for (const token of tokens) {
    if (token.kind !== 'option') continue;
    const option = Object.hasOwn(options, token.name) ? options[token.name] : undefined;
    if (!option) throw new CommandLineError(`unknown option ${token.rawName}`);
    if (option.type === 'string' && token.value === undefined) throw new CommandLineError(`${token.rawName} needs a value`);
    if (option.type === 'boolean' && token.value !== undefined) throw new CommandLineError(`${token.rawName} takes no value`);
    given.push({ name: token.name, flag: token.rawName, value: token.value });
  }
  return { values: values as CommandLine<O>['values'], positionals, given };
}

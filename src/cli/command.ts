/**
 * What a `volt` subcommand declares: its arguments and flags (for parsing and `--help`) and
 * the function that runs it.
 */

/** A flag of a command. Every command also accepts `-h, --help`. */
export interface FlagSpec {
  type: 'string' | 'boolean';
  /** A one-letter alias, e.g. `o` for `-o`. */
  short?: string;
  /** The placeholder shown in help for a string flag's value, e.g. `FILE`. */
  valueName?: string;
  /** One line for `--help`. */
  description: string;
  /** A string flag that may be given more than once (`-e auth -e library`): its value is a list. */
  multiple?: boolean;
}

/** A positional argument of a command. All are optional. */
export interface ArgumentSpec {
  name: string;
  description: string;
  /** The last argument only: it takes every remaining word (`volt loaddata a.json b.json`). */
  variadic?: boolean;
}

/** The flags of a command by long name. */
export type FlagSpecs = Record<string, FlagSpec>;

/**
 * Parsed flag values: strings for string flags (a list for `multiple` ones), booleans for
 * boolean ones, absent when not given.
 */
export type FlagValues<F extends FlagSpecs> = {
  [K in keyof F]?: F[K]['type'] extends 'boolean'
    ? boolean
    : F[K] extends { multiple: true }
      ? string[]
      : string;
};

/** Writes text to an output stream as is (callers add the newlines). */
export type Write = (text: string) => void;

/** What a command's `run` receives. */
export interface CommandInput<F extends FlagSpecs> {
  /** Positional arguments, at most as many as the command declares (any number for a variadic last one). */
  args: string[];
  flags: FlagValues<F>;
  /** The working directory that relative paths are resolved against. */
  cwd: string;
  stdout: Write;
  stderr: Write;
}

/**
 * A `volt` subcommand.
 *
 * @example
 * ```ts
 * export const command: Command<{ json: FlagSpec }> = {
 *   usage: 'volt routes [app] [options]',
 *   description: 'Lists the routes.',
 *   args: [{ name: 'app', description: 'The app module' }],
 *   flags: { json: { type: 'boolean', description: 'Print JSON' } },
 *   examples: ['volt routes --json'],
 *   run: async ({ args, flags, stdout }) => 0,
 * };
 * ```
 */
export interface Command<F extends FlagSpecs = FlagSpecs> {
  /** The synopsis, e.g. `volt routes [app] [options]`. */
  usage: string;
  /** A paragraph for `volt <command> --help`. */
  description: string;
  args: ArgumentSpec[];
  flags: F;
  examples: string[];
  /**
   * Runs the command; resolves to the exit code. A long-running command (a server) resolves
   * once it is up, and the process stays alive while it serves.
   */
  run(input: CommandInput<F>): Promise<number>;
}

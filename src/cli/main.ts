/**
 * The `volt` command: parses the command line, runs a subcommand, maps failures to exit codes.
 *
 * Exit codes: 0 success, 1 the work failed (invalid settings, missing app, port in use),
 * 2 the command line is wrong (unknown command or flag, bad flag value).
 *
 * Runs as `node --conditions=volt-source src/cli/main.ts <command>` from source, and through
 * `bin/volt.js` once built.
 */
import { readFileSync, realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type ParseArgsOptionsConfig, parseArgs } from 'node:util';
import { maskUrls } from '../http/mask-url.ts';
import { ownFile } from '../http/own-files.ts';
import { SettingsError } from '../http/settings.ts';
import { closest } from '../http/suggestion.ts';
import type { Command, FlagValues, Write } from './command.ts';
import { CliError, UsageError } from './errors.ts';
import { commandHelp, globalHelp, HELP_FLAG } from './help.ts';
import { COMMANDS } from './registry.ts';

/** Where a run reads and writes; the process's own streams and directory by default. */
export interface RunOptions {
  cwd?: string;
  stdout?: Write;
  stderr?: Write;
}

/** Volt's version, from its package.json. */
export function voltVersion(): string {
  const manifest = JSON.parse(readFileSync(ownFile('../package.json'), 'utf8')) as {
    version: string;
  };
  return manifest.version;
}

const HINT = "Run 'volt --help'.";

function didYouMean(word: string, candidates: readonly string[]): string {
  const match = closest(word, candidates);
  return match === undefined ? '' : ` Did you mean '${match}'?`;
}

function unknownCommand(name: string): UsageError {
  if (name.startsWith('-')) {
    return new UsageError(
      `Unknown option '${name}'.${didYouMean(name, ['--help', '--version'])} Options of a command go after its name, e.g. 'volt start --port 3000'. ${HINT}`,
    );
  }
  return new UsageError(`Unknown command '${name}'.${didYouMean(name, Object.keys(COMMANDS))} ${HINT}`);
}

function parseOptions(command: Command): ParseArgsOptionsConfig {
  const options: ParseArgsOptionsConfig = {};
  for (const [name, flag] of Object.entries({ ...command.flags, help: HELP_FLAG })) {
    options[name] = {
      type: flag.type,
      ...(flag.short ? { short: flag.short } : {}),
      ...(flag.multiple ? { multiple: true } : {}),
    };
  }
  return options;
}

/** Turns node:util's parse errors into one-line usage errors that name the bad word. */
function usageErrorOf(error: unknown, name: string, command: Command): unknown {
  const code = (error as { code?: unknown }).code;
  const hint = `Run 'volt ${name} --help'.`;
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
    const word = /'([^']+)'/.exec((error as Error).message)?.[1] ?? '?';
    const flags = [...Object.keys(command.flags), 'help'].map((flag) => `--${flag}`);
    return new UsageError(`Unknown option '${word}' for 'volt ${name}'.${didYouMean(word, flags)} ${hint}`);
  }
  if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
    return new UsageError(`${(error as Error).message.replace(/\.?$/, '.')} ${hint}`);
  }
  return error;
}

async function dispatch(argv: string[], cwd: string, stdout: Write, stderr: Write): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined) {
    stderr(globalHelp(voltVersion(), COMMANDS));
    return 2;
  }
  if (name === '--help' || name === '-h') {
    stdout(globalHelp(voltVersion(), COMMANDS));
    return 0;
  }
  if (name === '--version' || name === '-v') {
    stdout(`${voltVersion()}\n`);
    return 0;
  }
  if (name === 'help') {
    const topic = rest[0];
    if (topic === undefined) stdout(globalHelp(voltVersion(), COMMANDS));
    else stdout(commandHelp(await loadCommand(topic)));
    return 0;
  }
  const command = await loadCommand(name);
  const beforeSeparator = rest.includes('--') ? rest.slice(0, rest.indexOf('--')) : rest;
  if (beforeSeparator.includes('--help') || beforeSeparator.includes('-h')) {
    stdout(commandHelp(command));
    return 0;
  }
  let parsed: { values: Record<string, unknown>; positionals: string[] };
  try {
    parsed = parseArgs({ args: rest, options: parseOptions(command), strict: true, allowPositionals: true });
  } catch (error) {
    throw usageErrorOf(error, name, command);
  }
  const extra = command.args.at(-1)?.variadic ? undefined : parsed.positionals[command.args.length];
  if (extra !== undefined) {
    const expected = command.args.length === 0 ? 'no arguments' : `at most ${command.args.length}`;
    throw new UsageError(
      `Unexpected argument '${extra}' for 'volt ${name}' (it takes ${expected}). Run 'volt ${name} --help'.`,
    );
  }
  try {
    return await command.run({
      args: parsed.positionals,
      flags: parsed.values as FlagValues<typeof command.flags>,
      cwd,
      stdout,
      stderr,
    });
  } catch (error) {
    // A command's checks of flag values know the flag, not the command: add the pointer here.
    if (error instanceof UsageError && !error.message.includes("Run 'volt")) {
      throw new UsageError(`${error.message}. Run 'volt ${name} --help'.`);
    }
    throw error;
  }
}

async function loadCommand(name: string): Promise<Command> {
  const entry = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (entry === undefined) throw unknownCommand(name);
  return entry.load();
}

function isSettingsError(error: unknown): error is Error {
  // By name too: the app may have been built by another copy of Volt than the CLI's.
  return error instanceof SettingsError || (error instanceof Error && error.name === 'SettingsError');
}

/**
 * Prints a failure and picks its exit code; only unexpected errors show a stack trace. URLs
 * with credentials in it (a database URL quoted by some error) are shown by scheme and host.
 */
function report(error: unknown, stderr: Write): number {
  if (error instanceof UsageError || error instanceof CliError) {
    stderr(`volt: ${maskUrls(error.message)}\n`);
    return error.exitCode;
  }
  if (isSettingsError(error)) {
    stderr(`volt: ${maskUrls(error.message)}\n`);
    return 1;
  }
  stderr(`volt: ${maskUrls(error instanceof Error ? (error.stack ?? error.message) : String(error))}\n`);
  return 1;
}

/**
 * Runs the `volt` command line and resolves to the exit code. A serving command resolves once
 * the server listens; the process then lives until a signal stops the server.
 *
 * @example
 * ```ts
 * process.exitCode = await run(['routes', 'src/app.ts', '--json']);
 * ```
 */
export async function run(argv: readonly string[], options: RunOptions = {}): Promise<number> {
  const stdout = options.stdout ?? ((text: string) => void process.stdout.write(text));
  const stderr = options.stderr ?? ((text: string) => void process.stderr.write(text));
  try {
    return await dispatch([...argv], options.cwd ?? process.cwd(), stdout, stderr);
  } catch (error) {
    return report(error, stderr);
  }
}

function isEntryPoint(): boolean {
  const entry = process.argv[1];
  if (entry === undefined) return false;
  try {
    return realpathSync(entry) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isEntryPoint()) {
  run(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}

/**
 * The text of `volt --help` and `volt <command> --help`.
 */
import type { Command, FlagSpec } from './command.ts';
import type { CommandEntry } from './registry.ts';

/** The flag every command accepts. */
export const HELP_FLAG: FlagSpec = { type: 'boolean', short: 'h', description: 'Show this help' };

function columns(rows: Array<[string, string]>): string {
  const width = Math.max(...rows.map(([left]) => left.length));
  return rows.map(([left, right]) => `  ${left.padEnd(width)}  ${right}`).join('\n');
}

/** Wraps a paragraph at `width` columns, breaking between words. */
function wrap(text: string, width = 80): string {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/)) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else {
      line = line ? `${line} ${word}` : word;
    }
  }
  if (line) lines.push(line);
  return lines.join('\n');
}

function flagLabel(name: string, flag: FlagSpec): string {
  const short = flag.short ? `-${flag.short}, ` : '    ';
  const value = flag.type === 'string' ? ` ${flag.valueName ?? 'VALUE'}` : '';
  return `${short}--${name}${value}`;
}

/** `volt --help`: the commands and the global flags. */
export function globalHelp(version: string, commands: Readonly<Record<string, CommandEntry>>): string {
  return `Volt ${version}: serve and inspect a Volt app, and migrate its database.

Usage: volt <command> [app] [options]

Commands:
${columns(Object.entries(commands).map(([name, entry]) => [name, entry.summary]))}

Options:
${columns([
  ['-h, --help', "Show this help; 'volt <command> --help' shows a command's"],
  ['-v, --version', "Print Volt's version"],
])}

The app is the module given as [app], else "volt": { "app": "..." } in package.json,
else app.ts in the working directory. It must export the app as default or as \`app\`.
`;
}

/** `volt <command> --help`: usage, description, arguments, flags and examples. */
export function commandHelp(command: Command): string {
  const flags = Object.entries({ ...command.flags, help: HELP_FLAG }).map(
    ([name, flag]): [string, string] => [flagLabel(name, flag), flag.description],
  );
  const sections = [`Usage: ${command.usage}`, wrap(command.description)];
  if (command.args.length > 0) {
    sections.push(`Arguments:\n${columns(command.args.map((arg) => [arg.name, arg.description]))}`);
  }
  sections.push(`Options:\n${columns(flags)}`);
  if (command.examples.length > 0)
    sections.push(`Examples:\n${command.examples.map((e) => `  ${e}`).join('\n')}`);
  return sections.join('\n\n') + '\n';
}

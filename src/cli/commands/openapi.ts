/**
 * `volt openapi [app]`: the app's OpenAPI 3.1 document, printed or written to a file (for a
 * client generator, a CI diff or a docs site).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { openapiDocument } from '../../openapi/openapi.ts';
import type { Command, FlagSpec } from '../command.ts';
import { UsageError } from '../errors.ts';
import { APP_ARGUMENT_HELP, displayPath, loadApp } from '../load-app.ts';

const FLAGS = {
  output: {
    type: 'string',
    short: 'o',
    valueName: 'FILE',
    description: "Write the document to FILE instead of stdout ('-' for stdout)",
  },
  indent: {
    type: 'string',
    valueName: 'N',
    description: 'Spaces to indent with, 0 for one line (default: 2)',
  },
} as const satisfies Record<string, FlagSpec>;

function parseIndent(raw: string | undefined): number {
  if (raw === undefined) return 2;
  const indent = Number(raw);
  if (!/^\d+$/.test(raw) || indent > 10)
    throw new UsageError(`--indent must be a whole number from 0 to 10, got '${raw}'`);
  return indent;
}

/** `volt openapi`. */
export const command: Command<typeof FLAGS> = {
  usage: 'volt openapi [app] [options]',
  description:
    "Prints the app's OpenAPI 3.1 document as JSON (the one served at /openapi.json), or writes it " +
    'to a file with --output. The app is imported but not started.',
  args: [{ name: 'app', description: APP_ARGUMENT_HELP }],
  flags: FLAGS,
  examples: [
    'volt openapi > openapi.json',
    'volt openapi src/app.ts --output docs/openapi.json',
    'volt openapi --indent 0',
  ],
  async run({ args, flags, cwd, stdout }) {
    const indent = parseIndent(flags.indent);
    if (flags.output === '') throw new UsageError('--output needs a file name, e.g. --output openapi.json');
    const { app } = await loadApp(args[0], cwd);
    const json = JSON.stringify(openapiDocument(app), null, indent) + '\n';
    if (flags.output === undefined || flags.output === '-') {
      stdout(json);
      return 0;
    }
    const file = resolve(cwd, flags.output);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, json);
    stdout(`Wrote the OpenAPI document to ${displayPath(file, cwd)}\n`);
    return 0;
  },
};

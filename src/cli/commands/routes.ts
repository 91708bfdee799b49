/**
 * `volt routes [app]`: the app's routes as a table, or as JSON with `--json`.
 */
import type { Command, FlagSpec } from '../command.ts';
import { APP_ARGUMENT_HELP, loadApp } from '../load-app.ts';
import { formatRouteTable, routeRows } from '../route-table.ts';

const FLAGS = {
  json: { type: 'boolean', description: 'Print a JSON array instead of a table' },
} as const satisfies Record<string, FlagSpec>;

/** `volt routes`. */
export const command: Command<typeof FLAGS> = {
  usage: 'volt routes [app] [options]',
  description:
    'Lists every route the app declares, sorted by path then method: method, path, summary (or ' +
    'operationId), tags and dependencies. The app is imported but not started.',
  args: [{ name: 'app', description: APP_ARGUMENT_HELP }],
  flags: FLAGS,
  examples: ['volt routes', 'volt routes src/app.ts --json'],
  async run({ args, flags, cwd, stdout }) {
    const { app } = await loadApp(args[0], cwd);
    const rows = routeRows(app.routes);
    if (flags.json) stdout(JSON.stringify(rows, null, 2) + '\n');
    else if (rows.length === 0) stdout('The app declares no routes.\n');
    else stdout(formatRouteTable(rows));
    return 0;
  },
};

/**
 * `volt start [app]`: imports the app and serves it until SIGTERM or SIGINT, which close it
 * gracefully (in-flight requests finish, shutdown hooks run).
 */
import { flushCompileCache } from 'node:module';
import type { Command } from '../command.ts';
import { CliError } from '../errors.ts';
import { APP_ARGUMENT_HELP, loadApp } from '../load-app.ts';
import { listenOptions, SERVER_FLAGS } from '../server-flags.ts';

function listenFailure(error: unknown, host: string, port: number): CliError | undefined {
  const code = (error as { code?: unknown }).code;
  const where = `${host}:${port}`;
  if (code === 'EADDRINUSE') {
    return new CliError(
      `${where} is already in use; stop the other server or pick another port with --port`,
      {
        cause: error,
      },
    );
  }
  if (code === 'EACCES')
    return new CliError(`Not allowed to listen on ${where}; use a port above 1023`, { cause: error });
  if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND') {
    return new CliError(`Cannot listen on ${where}: no such address on this machine`, { cause: error });
  }
  return undefined;
}

/** `volt start`. */
export const command: Command<typeof SERVER_FLAGS> = {
  usage: 'volt start [app] [options]',
  description:
    'Imports the app and serves it. Host and port come from --host/--port, else from the HOST and PORT ' +
    'settings. SIGTERM and SIGINT stop accepting connections, let in-flight requests finish and run the ' +
    'shutdown hooks before exiting.',
  args: [{ name: 'app', description: APP_ARGUMENT_HELP }],
  flags: SERVER_FLAGS,
  examples: ['volt start', 'volt start src/app.ts --host 0.0.0.0 --port 3000', 'PORT=3000 volt start'],
  async run({ args, flags, cwd, stdout }) {
    const listen = listenOptions(flags);
    const { app } = await loadApp(args[0], cwd);
    let address: string;
    try {
      address = await app.listen(listen);
    } catch (error) {
      await app.close().catch(() => {});
      throw listenFailure(error, listen.host ?? app.settings.host, listen.port ?? app.settings.port) ?? error;
    }
    // Fastify answers a loopback URL for a wildcard host: clickable, but say what is exposed.
    const host = listen.host ?? app.settings.host;
    const wildcard =
      host === '0.0.0.0' || host === '::' ? ` (all ${host === '::' ? '' : 'IPv4 '}interfaces)` : '';
    // Node writes its compile cache (bin/volt.js enables it) when the process exits: written
    // now, once every module of the app is loaded, the next start gains even if this one is killed.
    setImmediate(() => flushCompileCache?.());
    stdout(`Volt listening on ${address}${wildcard}\n`);
    if (app.settings.docs) stdout(`API docs: ${address}/docs\n`);
    return 0;
  },
};

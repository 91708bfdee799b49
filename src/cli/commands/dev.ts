/**
 * `volt dev [app]`: `volt start` under Node's watch mode. Node restarts the server whenever a
 * file the app imports changes, so no watcher dependency and no list of paths to keep.
 */
import { spawn } from 'node:child_process';
import { getCompileCacheDir } from 'node:module';
import { fileURLToPath } from 'node:url';
import { ownModule } from '../../http/own-files.ts';
import type { Command } from '../command.ts';
import { APP_ARGUMENT_HELP, resolveAppPath } from '../load-app.ts';
import { listenOptions, SERVER_FLAGS } from '../server-flags.ts';

// The CLI's entry: main.ts from source, main.js once built.
const mainPath = () => fileURLToPath(ownModule('cli/main'));

const FORWARDED_SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

/** Node's flags for the child: ours (e.g. `--conditions=volt-source`) minus any watch flags, plus `--watch`. */
function childExecArgv(): string[] {
  const inherited = process.execArgv.filter((arg) => !/^--watch(-path|-preserve-output)?(=|$)/.test(arg));
  return [...inherited, '--watch'];
}

/** The environment with NODE_COMPILE_CACHE set to this process's compile cache, when it has one. */
function withCompileCache(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const dir = getCompileCacheDir?.();
  return dir && env.NODE_COMPILE_CACHE === undefined && env.NODE_DISABLE_COMPILE_CACHE === undefined
    ? { ...env, NODE_COMPILE_CACHE: dir }
    : env;
}

/** `volt dev`. */
export const command: Command<typeof SERVER_FLAGS> = {
  usage: 'volt dev [app] [options]',
  description:
    'Serves the app like `volt start` and restarts it when the app module or any file it imports changes ' +
    '(Node watch mode). Runs in development (readable logs) unless VOLT_ENV says otherwise.',
  args: [{ name: 'app', description: APP_ARGUMENT_HELP }],
  flags: SERVER_FLAGS,
  examples: ['volt dev', 'volt dev src/app.ts --port 3000'],
  async run({ args, flags, cwd }) {
    const listen = listenOptions(flags);
    const appPath = resolveAppPath(args[0], cwd);
    const startArgs = [mainPath(), 'start', appPath];
    if (listen.host !== undefined) startArgs.push('--host', listen.host);
    if (listen.port !== undefined) startArgs.push('--port', String(listen.port));
    // Detached: a Ctrl+C in the terminal reaches only this process, which passes it on once.
    // Otherwise the server would get it twice (from the terminal and from the watcher) and the
    // second one would cut its graceful shutdown short.
    const child = spawn(process.execPath, [...childExecArgv(), ...startArgs], {
      cwd,
      detached: true,
      stdio: ['ignore', 'inherit', 'inherit'],
      // VOLT_ENV is left alone: unset in the shell and in `.env`, the settings default to development.
      // The compile cache this process uses (bin/volt.js), for every restart of the server:
      // only the files that changed are compiled again.
      env: withCompileCache(process.env),
    });
    // The watcher stops the server and exits on these; wait for it so the terminal is not
    // handed back while the server still writes to it.
    let stopping = false;
    const forward = (signal: NodeJS.Signals) => {
      stopping = true;
      child.kill(signal);
    };
    // Being detached, the watcher would outlive this process if it died some other way.
    const orphanGuard = () => child.kill('SIGTERM');
    for (const signal of FORWARDED_SIGNALS) process.on(signal, forward);
    process.once('exit', orphanGuard);
    return new Promise<number>((resolve, reject) => {
      child.once('error', reject);
      child.once('exit', (code, signal) => {
        for (const s of FORWARDED_SIGNALS) process.off(s, forward);
        process.off('exit', orphanGuard);
        resolve(code ?? (stopping || signal === 'SIGINT' || signal === 'SIGTERM' ? 0 : 1));
      });
    });
  },
};

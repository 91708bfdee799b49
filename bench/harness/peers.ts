/**
 * The servers Volt is measured against: how to start each one and whether it is installed.
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { type Command, capture } from './processes.ts';

/** The id of a benchmarked server. */
export type PeerId = 'volt' | 'fastify' | 'node-http' | 'fastapi' | 'django';

/** All peers, in the order tables list them. */
export const PEER_IDS: readonly PeerId[] = ['volt', 'fastify', 'node-http', 'fastapi', 'django'];

/** A server under test. */
export interface Peer {
  id: PeerId;
  /** How tables name it. */
  label: string;
  /** What it is, for the report. */
  description: string;
  command(port: number): Command;
  /** Why it cannot run here, or `undefined` when it can. */
  missing(): Promise<string | undefined>;
}

/** Debian's Python; the pyenv `python3` first on PATH lacks the peers' packages. */
export const PYTHON = '/usr/bin/python3';
const GUNICORN = '/usr/bin/gunicorn';
const NODE_FLAGS = ['--conditions=volt-source'];

/** Why Debian's Python cannot import `modules`, or `undefined` when it can. */
export async function pythonModulesMissing(modules: string[]): Promise<string | undefined> {
  if (!existsSync(PYTHON)) return `${PYTHON} not found (apt-get install python3)`;
  try {
    await capture(PYTHON, ['-c', `import ${modules.join(', ')}`]);
    return undefined;
  } catch (error) {
    const last = String((error as Error).message)
      .trim()
      .split('\n')
      .at(-1);
    return `${PYTHON} cannot import ${modules.join(', ')} (${last})`;
  }
}

const nodeServer = (file: string, port: number, env: Record<string, string> = {}): Command => ({
  command: process.execPath,
  args: [...NODE_FLAGS, file],
  env: { PORT: String(port), ...env },
});

/** The peers by id. */
export const PEERS: Record<PeerId, Peer> = {
  volt: {
    id: 'volt',
    label: 'Volt',
    description: 'examples/hello/app.ts, VOLT_ENV=production, LOG_LEVEL=silent',
    command: (port) =>
      nodeServer('bench/servers/volt.ts', port, {
        VOLT_ENV: 'production',
        // A throwaway key: production refuses to start without a strong one.
        SECRET_KEY: randomBytes(48).toString('base64url'),
        LOG_LEVEL: 'silent',
      }),
    missing: async () => undefined,
  },
  fastify: {
    id: 'fastify',
    label: 'Fastify',
    description: 'bare Fastify 5, JSON schemas for validation and serialization, logger off',
    command: (port) => nodeServer('bench/servers/fastify.ts', port),
    missing: async () => undefined,
  },
  'node-http': {
    id: 'node-http',
    label: 'node:http',
    description: 'raw node:http, hand-written routing and validation',
    command: (port) => nodeServer('bench/servers/node-http.ts', port),
    missing: async () => undefined,
  },
  fastapi: {
    id: 'fastapi',
    label: 'FastAPI',
    description: 'FastAPI on uvicorn (uvloop, httptools), one worker, access log off',
    command: (port) => ({
      command: PYTHON,
      args: [
        ...['-m', 'uvicorn', 'fastapi_app:app', '--app-dir', 'bench/servers'],
        ...['--host', '127.0.0.1', '--port', String(port)],
        ...['--loop', 'uvloop', '--http', 'httptools', '--no-access-log', '--log-level', 'warning'],
      ],
    }),
    missing: () => pythonModulesMissing(['fastapi', 'uvicorn', 'uvloop', 'httptools']),
  },
  django: {
    id: 'django',
    label: 'Django',
    description: 'Django on gunicorn, one sync worker, DEBUG off, no middleware',
    command: (port) => ({
      command: GUNICORN,
      args: [
        ...['--workers', '1', '--worker-class', 'sync', '--chdir', 'bench/servers'],
        ...['--bind', `127.0.0.1:${port}`, '--log-level', 'warning', 'django_app:application'],
      ],
    }),
    missing: async () => (existsSync(GUNICORN) ? pythonModulesMissing(['django']) : `${GUNICORN} not found`),
  },
};

/**
 * The servers of the TechEmpower run: how each starts (bench/tfb/servers/) and whether it can.
 * They share the ids and labels of bench/harness/peers.ts; each gets `DATABASE_URL` and `PORT`.
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { type PeerId, PYTHON, pythonModulesMissing } from '../harness/peers.ts';
import type { Command } from '../harness/processes.ts';

/** A server of the run. */
export interface TfbServer {
  /** What it is, for the report. */
  description: string;
  command(port: number, databaseUrl: string): Command;
  /** Why it cannot run here, or `undefined` when it can. */
  missing(): Promise<string | undefined>;
}

const GUNICORN = '/usr/bin/gunicorn';
const DIR = 'bench/tfb/servers';

const nodeServer = (file: string, port: number, env: Record<string, string>): Command => ({
  command: process.execPath,
  args: ['--conditions=volt-source', `${DIR}/${file}`],
  env: { PORT: String(port), ...env },
});

/** The servers by id. */
export const TFB_SERVERS: Record<PeerId, TfbServer> = {
  volt: {
    description:
      'Volt (servers/volt.ts): models and query(ctx.db, …), html template; VOLT_ENV=production, LOG_LEVEL=silent, pool 10',
    command: (port, databaseUrl) =>
      nodeServer('volt.ts', port, {
        DATABASE_URL: databaseUrl,
        VOLT_ENV: 'production',
        // A throwaway key: production refuses to start without a strong one.
        SECRET_KEY: randomBytes(48).toString('base64url'),
        LOG_LEVEL: 'silent',
      }),
    missing: async () => undefined,
  },
  fastify: {
    description:
      'bare Fastify 5 (servers/fastify.ts), logger off, response schemas; pg by hand, named statements, pool 10',
    command: (port, databaseUrl) => nodeServer('fastify.ts', port, { DATABASE_URL: databaseUrl }),
    missing: async () => undefined,
  },
  'node-http': {
    description: 'raw node:http (servers/node-http.ts), routing by hand; the same pg code as Fastify',
    command: (port, databaseUrl) => nodeServer('node-http.ts', port, { DATABASE_URL: databaseUrl }),
    missing: async () => undefined,
  },
  fastapi: {
    description: 'FastAPI on uvicorn (uvloop, httptools), one process, access log off; asyncpg pool 10',
    command: (port, databaseUrl) => ({
      command: PYTHON,
      args: [
        ...['-m', 'uvicorn', 'fastapi_app:app', '--app-dir', DIR],
        ...['--host', '127.0.0.1', '--port', String(port)],
        ...['--loop', 'uvloop', '--http', 'httptools', '--no-access-log', '--log-level', 'warning'],
      ],
      env: { DATABASE_URL: databaseUrl },
    }),
    missing: () => pythonModulesMissing(['fastapi', 'uvicorn', 'uvloop', 'httptools', 'asyncpg', 'jinja2']),
  },
  django: {
    description:
      'Django on gunicorn, one sync worker, DEBUG off, no middleware; ORM over psycopg2, one persistent connection',
    command: (port, databaseUrl) => ({
      command: GUNICORN,
      args: [
        ...['--workers', '1', '--worker-class', 'sync', '--chdir', DIR],
        ...['--bind', `127.0.0.1:${port}`, '--log-level', 'warning', 'django_app:application'],
      ],
      env: { DATABASE_URL: databaseUrl },
    }),
    missing: async () =>
      existsSync(GUNICORN) ? pythonModulesMissing(['django', 'psycopg2']) : `${GUNICORN} not found`,
  },
};

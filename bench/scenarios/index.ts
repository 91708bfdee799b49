/**
 * The load scenarios: what wrk sends, what a correct server answers, and one invalid
 * request each server must refuse (so a peer cannot win by skipping validation).
 */
import { deepStrictEqual } from 'node:assert';
import { readFileSync } from 'node:fs';
import type { Answer, Probe } from '../harness/processes.ts';

/** The id of a scenario. */
export type ScenarioId = 'plaintext' | 'json' | 'items' | 'users';

/** All scenarios, in report order. */
export const SCENARIO_IDS: readonly ScenarioId[] = ['plaintext', 'json', 'items', 'users'];

/** One load scenario. */
export interface Scenario {
  id: ScenarioId;
  /** A one-line description for tables. */
  title: string;
  /** The request wrk repeats (the check sends it once first). */
  request: Probe;
  /** A wrk Lua script that sets the method, body or headers, relative to the repository root. */
  script?: string;
  /** What the answer must be. */
  expect: { status: number; contentType: string; text?: string; json?: unknown };
  /** A request the server must refuse with a 4xx. */
  invalid?: Probe;
}

const SCRIPTS = 'bench/scenarios';
const ITEM = { name: 'Widget', price: 9.99, tags: ['tools', 'sale'] };
const JSON_TYPE = { 'Content-Type': 'application/json' };

/** The scenarios by id. */
export const SCENARIOS: Record<ScenarioId, Scenario> = {
  plaintext: {
    id: 'plaintext',
    title: 'GET /plaintext → "Hello, World!"',
    request: { method: 'GET', path: '/plaintext' },
    expect: { status: 200, contentType: 'text/plain', text: 'Hello, World!' },
  },
  json: {
    id: 'json',
    title: 'GET /json → {"message":"Hello, World!"}',
    request: { method: 'GET', path: '/json' },
    expect: { status: 200, contentType: 'application/json', json: { message: 'Hello, World!' } },
  },
  items: {
    id: 'items',
    title: 'POST /items, validated JSON body {name, price, tags}',
    request: { method: 'POST', path: '/items', headers: JSON_TYPE, body: JSON.stringify(ITEM) },
    script: `${SCRIPTS}/items.lua`,
    expect: { status: 200, contentType: 'application/json', json: ITEM },
    invalid: {
      method: 'POST',
      path: '/items',
      headers: JSON_TYPE,
      body: '{"name":"","price":-1,"tags":[1]}',
    },
  },
  users: {
    id: 'users',
    title: 'GET /users/42?verbose=true, path param + typed query + dependency (x-client)',
    request: { method: 'GET', path: '/users/42?verbose=true', headers: { 'x-client': 'bench' } },
    script: `${SCRIPTS}/users.lua`,
    expect: {
      status: 200,
      contentType: 'application/json',
      json: { id: 42, verbose: true, client: 'bench' },
    },
    invalid: { method: 'GET', path: '/users/0?verbose=maybe', headers: { 'x-client': 'bench' } },
  },
};

/**
 * Checks that each Lua script sends exactly the scenario's request body and headers, so the
 * answer checked once is the answer wrk loads. Throws on a mismatch.
 */
export function checkScripts(): void {
  for (const scenario of Object.values(SCENARIOS)) {
    if (!scenario.script) continue;
    const lua = readFileSync(scenario.script, 'utf8');
    const { method, body, headers } = scenario.request;
    const wanted = [
      ...(method !== 'GET' ? [`wrk.method = "${method}"`] : []),
      ...(body !== undefined ? [`wrk.body = '${body}'`] : []),
      ...Object.entries(headers ?? {}).map(([name, value]) => `wrk.headers["${name}"] = "${value}"`),
    ];
    const missing = wanted.find((line) => !lua.includes(line));
    if (missing)
      throw new Error(`${scenario.script} does not match scenario "${scenario.id}": expected ${missing}`);
  }
}

/** Why an answer is wrong for a scenario, or `undefined` when it is right. */
export function checkAnswer(scenario: Scenario, answer: Answer): string | undefined {
  const { expect } = scenario;
  const shown = `${answer.status} ${answer.contentType} ${answer.body.slice(0, 300)}`;
  if (answer.status !== expect.status) return `status ${answer.status}, expected ${expect.status}: ${shown}`;
  if (!answer.contentType.startsWith(expect.contentType)) {
    return `content-type "${answer.contentType}", expected ${expect.contentType}: ${shown}`;
  }
  if (expect.text !== undefined && answer.body !== expect.text) {
    return `body ${JSON.stringify(answer.body)}, expected ${JSON.stringify(expect.text)}`;
  }
  if (expect.json !== undefined) {
    try {
      deepStrictEqual(JSON.parse(answer.body), expect.json);
    } catch {
      return `body ${answer.body.slice(0, 300)}, expected ${JSON.stringify(expect.json)}`;
    }
  }
  return undefined;
}

/** Why the answer to the invalid request is wrong (it must be a 4xx), or `undefined`. */
export function checkRefusal(answer: Answer): string | undefined {
  if (answer.status >= 400 && answer.status < 500) return undefined;
  return `invalid request answered ${answer.status} (expected a 4xx): ${answer.body.slice(0, 300)}`;
}

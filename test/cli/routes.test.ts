/**
 * `volt routes`: the route table of the hello example, as text and as JSON.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { RouteRow } from '../../src/cli/route-table.ts';
import { formatRouteTable, routeRows } from '../../src/cli/route-table.ts';
import { dependency } from '../../src/http/dependencies.ts';
import { Router } from '../../src/http/router.ts';
import { helloApp, volt } from './support.ts';

test('volt routes prints one row per route, sorted by path then method', async () => {
  const { code, stdout, stderr } = await volt(['routes', helloApp]);
  assert.equal(code, 0, stderr);
  const lines = stdout.trimEnd().split('\n');
  assert.match(lines[0]!, /^METHOD\s+PATH\s+NAME\s+TAGS\s+DEPENDENCIES$/);
  const rows = lines.slice(1).map((line) => line.split(/\s+/));
  const paths = rows.map(([method, path]) => `${method} ${path}`);
  for (const route of ['POST /items', 'GET /users/:id', 'GET /notes', 'POST /notes', 'GET /notes/:id']) {
    assert.ok(paths.includes(route), `${route} missing from:\n${stdout}`);
  }
  const keys = rows.map(([, path]) => path!);
  assert.deepEqual(keys, [...keys].sort());
  assert.ok(paths.indexOf('GET /notes') < paths.indexOf('POST /notes'));
  const users = lines.find((line) => line.includes('/users/:id'))!;
  assert.match(users, /A path parameter, a typed query and a dependency\s+bench\s+client$/);
  const createNote = lines.find((line) => /^POST\s+\/notes\s/.test(line))!;
  assert.match(createNote, /Create a note\s+notes\s+db \(notesSession\)$/);
});

test('volt routes --json prints the same rows as JSON', async () => {
  const { code, stdout, stderr } = await volt(['routes', helloApp, '--json']);
  assert.equal(code, 0, stderr);
  const rows = JSON.parse(stdout) as RouteRow[];
  const users = rows.find((row) => row.path === '/users/:id');
  assert.deepEqual(users, {
    method: 'GET',
    path: '/users/:id',
    name: 'A path parameter, a typed query and a dependency',
    tags: ['bench'],
    dependencies: ['client'],
  });
  const listNotes = rows.find((row) => row.path === '/notes' && row.method === 'GET');
  assert.deepEqual(listNotes?.dependencies, ['db (notesSession)', 'page']);
  assert.deepEqual(listNotes?.tags, ['notes']);
});

test('routeRows lists deps, inherited and declared effect dependencies, and merges tags', () => {
  const requireToken = dependency(function requireToken() {
    return true;
  });
  const audit = dependency(function audit() {
    return true;
  });
  const session = dependency(function session() {
    return {};
  });
  const router = new Router({ prefix: '/api', tags: ['api'], dependencies: [requireToken] });
  router.delete('/b', { operationId: 'removeB', deprecated: true, tags: ['b', 'api'] }, () => null);
  router.get('/b', { summary: 'Read b', deps: { session }, dependencies: [audit], hidden: true }, () => null);
  router.get('/a', () => null);
  const rows = routeRows(router.routes);
  assert.deepEqual(
    rows.map((row) => `${row.method} ${row.path}`),
    ['GET /api/a', 'GET /api/b', 'DELETE /api/b'],
  );
  assert.deepEqual(rows[1], {
    method: 'GET',
    path: '/api/b',
    name: 'Read b',
    tags: ['api'],
    dependencies: ['session', 'requireToken', 'audit'],
    hidden: true,
  });
  assert.deepEqual(rows[2], {
    method: 'DELETE',
    path: '/api/b',
    name: 'removeB',
    operationId: 'removeB',
    tags: ['api', 'b'],
    dependencies: ['requireToken'],
    deprecated: true,
  });
  assert.equal(
    formatRouteTable(rows),
    [
      'METHOD  PATH    NAME                  TAGS    DEPENDENCIES',
      'GET     /api/a  -                     api     requireToken',
      'GET     /api/b  Read b                api     session, requireToken, audit',
      'DELETE  /api/b  [deprecated] removeB  api, b  requireToken',
      '',
    ].join('\n'),
  );
});

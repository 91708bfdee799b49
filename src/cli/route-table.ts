/**
 * The rows `volt routes` prints: one per declared route, sorted by path then method.
 */
import type { Dependency } from '../http/dependencies.ts';
import type { HttpMethod, RouteRecord } from '../http/route.ts';

/** One route, as `volt routes --json` prints it. */
export interface RouteRow {
  method: HttpMethod;
  path: string;
  /** The route's summary, else its operationId, else empty. */
  name: string;
  operationId?: string;
  tags: string[];
  /**
   * Dependency names: `deps` keys first (with the dependency's own name in parentheses when it
   * differs), then the effect-only dependencies inherited from the app and routers and declared
   * on the route.
   */
  dependencies: string[];
  deprecated?: boolean;
  /** Left out of the OpenAPI document. */
  hidden?: boolean;
}

const METHOD_ORDER: readonly HttpMethod[] = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];

function dependencyNames(route: RouteRecord): string[] {
  const deps = Object.entries(route.options.deps ?? {}) as Array<[string, Dependency]>;
  const named = deps.map(([key, dep]) =>
    dep.name === key || dep.name === 'anonymous' ? key : `${key} (${dep.name})`,
  );
  const effects = [...route.dependencies, ...(route.options.dependencies ?? [])].map((dep) => dep.name);
  return [...named, ...effects];
}

/**
 * The table rows of an app's routes.
 *
 * @example
 * ```ts
 * for (const row of routeRows(app.routes)) console.log(row.method, row.path);
 * ```
 */
export function routeRows(routes: readonly RouteRecord[]): RouteRow[] {
  const rows = routes.map((route): RouteRow => {
    const { summary, operationId, tags = [], deprecated, hidden } = route.options;
    const row: RouteRow = {
      method: route.method,
      path: route.path,
      name: summary ?? operationId ?? '',
      tags: [...new Set([...route.tags, ...tags])],
      dependencies: dependencyNames(route),
    };
    if (operationId !== undefined) row.operationId = operationId;
    if (deprecated) row.deprecated = true;
    if (hidden) row.hidden = true;
    return row;
  });
  return rows.sort(
    (a, b) =>
      (a.path < b.path ? -1 : a.path > b.path ? 1 : 0) ||
      METHOD_ORDER.indexOf(a.method) - METHOD_ORDER.indexOf(b.method),
  );
}

/** Formats rows as an aligned plain-text table with a header line. */
export function formatRouteTable(rows: readonly RouteRow[]): string {
  const header = ['METHOD', 'PATH', 'NAME', 'TAGS', 'DEPENDENCIES'];
  const cells = rows.map((row) => [
    row.method,
    row.path,
    (row.deprecated ? '[deprecated] ' : '') + (row.name || '-'),
    row.tags.join(', ') || '-',
    row.dependencies.join(', ') || '-',
  ]);
  const widths = header.map((title, i) => Math.max(title.length, ...cells.map((line) => line[i]!.length)));
  const format = (line: string[]) =>
    line
      .map((cell, i) => (i === line.length - 1 ? cell : cell.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [format(header), ...cells.map(format)].join('\n') + '\n';
}

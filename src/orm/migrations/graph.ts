/**
 * The migration graph: migrations ordered so each comes after its dependencies, checked for
 * missing dependencies, cycles and conflicts (two latest migrations in one app, made on two
 * branches; Django calls them conflicting leaf nodes).
 */
import type { LoadedMigration } from './types.ts';

/** The migrations cannot be ordered. Stable code: `VOLT_MIGRATION_GRAPH`. */
export class MigrationGraphError extends Error {
  override readonly name = 'MigrationGraphError';
  readonly code = 'VOLT_MIGRATION_GRAPH';
}

function byAppAndName(a: LoadedMigration, b: LoadedMigration): number {
  return a.app < b.app ? -1 : a.app > b.app ? 1 : a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

/**
 * The latest migration of each app: the ones no other migration of the same app depends on.
 * More than one for an app is a conflict.
 */
export function leafMigrations(list: readonly LoadedMigration[]): Map<string, LoadedMigration[]> {
  const dependedOn = new Set<string>();
  for (const migration of list)
    for (const dependency of migration.dependencies ?? [])
      if (dependency.startsWith(`${migration.app}/`)) dependedOn.add(dependency);
  const leaves = new Map<string, LoadedMigration[]>();
  for (const migration of [...list].sort(byAppAndName)) {
    if (dependedOn.has(migration.id)) continue;
    const app = leaves.get(migration.app) ?? [];
    app.push(migration);
    leaves.set(migration.app, app);
  }
  return leaves;
}

/**
 * `list` in the order to apply it: every migration after its dependencies; otherwise by app,
 * then name. Throws a `MigrationGraphError` naming a missing dependency, a cycle, a duplicate
 * id, or an app with two latest migrations.
 *
 * @example
 * ```ts
 * orderMigrations(await loadMigrations('migrations')).map((m) => m.id);
 * // ['library/0001_initial', 'library/0002_add_book_isbn', 'shop/0001_initial']
 * ```
 */
export function orderMigrations(list: readonly LoadedMigration[]): LoadedMigration[] {
  const byId = new Map<string, LoadedMigration>();
  for (const migration of list) {
    if (byId.has(migration.id))
      throw new MigrationGraphError(
        `Two migrations are ${migration.id}: ${byId.get(migration.id)!.file} and ${migration.file}`,
      );
    byId.set(migration.id, migration);
  }
  const sorted = [...list].sort(byAppAndName);
  for (const migration of sorted)
    for (const dependency of migration.dependencies ?? [])
      if (!byId.has(dependency)) {
        const app = dependency.slice(0, dependency.indexOf('/'));
        const known = sorted.filter((m) => m.app === app).map((m) => m.id);
        throw new MigrationGraphError(
          `${migration.id} depends on ${dependency}, which does not exist` +
            (known.length ? ` (${app} has: ${known.join(', ')})` : ` (no migrations of '${app}' were found)`),
        );
      }

  const ordered: LoadedMigration[] = [];
  const done = new Set<string>();
  const path: string[] = [];
  const visit = (migration: LoadedMigration): void => {
    if (done.has(migration.id)) return;
    const at = path.indexOf(migration.id);
    if (at !== -1)
      throw new MigrationGraphError(
        `The migrations depend on each other in a cycle: ${[...path.slice(at), migration.id].join(' → ')}`,
      );
    path.push(migration.id);
    const dependencies = (migration.dependencies ?? []).map((id) => byId.get(id)!).sort(byAppAndName);
    for (const dependency of dependencies) visit(dependency);
    path.pop();
    done.add(migration.id);
    ordered.push(migration);
  };
  for (const migration of sorted) visit(migration);

  for (const [app, leaves] of leafMigrations(list))
    if (leaves.length > 1)
      throw new MigrationGraphError(
        `Conflicting migrations in ${app}: ${leaves.map((m) => m.id).join(' and ')} are both latest (neither depends on the other). ` +
          `Make one depend on the other (rename it and add the other to its dependencies), or add a migration that depends on both.`,
      );
  return ordered;
}

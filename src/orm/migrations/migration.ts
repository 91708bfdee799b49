/**
 * `migration()`: what a migration file exports by default.
 */
import { OperationError } from './operations/base.ts';
import type { MigrationDefinition } from './types.ts';

const ID = /^[a-z][a-z0-9_]*\/\d{4}_[a-z0-9_]+$/u;

/**
 * Checks and freezes a migration's definition, and returns it.
 *
 * @example
 * ```ts
 * export default migration({
 *   dependencies: ['library/0001_initial'],
 *   operations: [op.renameField('library.Book', 'title', 'name')],
 * });
 * ```
 */
export function migration<const D extends MigrationDefinition>(definition: D): D {
  if (!definition || typeof definition !== 'object')
    throw new OperationError('migration() takes { dependencies?, operations, atomic? }');
  const known = new Set(['dependencies', 'operations', 'atomic']);
  for (const key of Object.keys(definition))
    if (!known.has(key))
      throw new OperationError(
        `migration(): unknown key '${key}'; the keys are dependencies, operations, atomic`,
      );
  const dependencies = definition.dependencies ?? [];
  if (!Array.isArray(dependencies))
    throw new OperationError(`migration(): dependencies must be a list of ids like 'library/0001_initial'`);
  for (const dependency of dependencies)
    if (typeof dependency !== 'string' || !ID.test(dependency))
      throw new OperationError(
        `migration(): the dependency ${JSON.stringify(dependency)} is not a migration id; write '<app>/<NNNN>_<name>', like 'library/0001_initial'`,
      );
  if (!Array.isArray(definition.operations))
    throw new OperationError(
      'migration(): operations must be a list of op.* calls (an empty list is allowed)',
    );
  definition.operations.forEach((operation, i) => {
    if (
      !operation ||
      typeof operation !== 'object' ||
      typeof operation.stateForwards !== 'function' ||
      typeof operation.databaseForwards !== 'function' ||
      typeof operation.describe !== 'function'
    )
      throw new OperationError(
        `migration(): operation ${i + 1} is not an operation; build operations with op, like op.addField(...)`,
      );
  });
  if (definition.atomic !== undefined && typeof definition.atomic !== 'boolean')
    throw new OperationError('migration(): atomic must be true or false');
  return Object.freeze({
    ...definition,
    dependencies: Object.freeze([...dependencies]),
    operations: Object.freeze([...definition.operations]),
  }) as D;
}

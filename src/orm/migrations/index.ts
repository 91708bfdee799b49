/**
 * The migration system's logic: project states, operations, the autodetector and the writer.
 * Migration files need only `migration`, `op` and `f`, which `voltjs/orm` exports.
 */
export {
  appOf,
  type DetectOptions,
  detectChanges,
  MigrationPlanError,
  migrationName,
  type PlannedMigration,
  type PlanOptions,
  planMigrations,
} from './autodetector.ts';
export {
  type Deconstruction,
  deconstruct,
  reconstruct,
  sameDeconstruction,
  sameField,
} from './deconstruct.ts';
export { migration } from './migration.ts';
export * from './operations/index.ts';
export {
  InteractiveQuestioner,
  MissingAnswerError,
  NonInteractiveQuestioner,
  parseRenames,
  type Questioner,
  type Rename,
} from './questioner.ts';
export { MigrationStateError, modelState, ProjectState } from './state.ts';
export type * from './types.ts';
export { type MigrationSource, MigrationWriteError, writeMigration } from './writer.ts';

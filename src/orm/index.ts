/**
 * `voltjs/orm`: models and the database layer. Only apps that import it load it.
 */
export {
  type ConnectOptions,
  connect,
  type Database,
  type DatabaseLogger,
  type DialectName,
  type RunResult,
  type SqlValue,
} from './database.ts';
export {
  type AutoJoinTable,
  autoJoinTable,
  createTableSql,
  createTables,
  createTablesSql,
  dependencyOrder,
  type TableDdl,
} from './ddl.ts';
export { type DecimalInput, decimal, type Rounding } from './decimal.ts';
export {
  CheckViolationError,
  type ConstraintInfo,
  ConstraintViolationError,
  DatabaseAbortedError,
  DatabaseBusyError,
  DatabaseError,
  type DatabaseErrorOptions,
  DatabaseUnavailableError,
  ForeignKeyViolationError,
  NotNullViolationError,
  UniqueViolationError,
} from './errors.ts';
export { BooleanField, type BooleanOptions } from './fields/boolean.ts';
export { EnumField, type EnumOptions, type EnumValues } from './fields/enum.ts';
export {
  type AnyField,
  type Choice,
  type Dialect,
  Field,
  type FieldKind,
  type FieldOptions,
  type FieldSchema,
  type Issue,
  ModelDefinitionError,
} from './fields/field.ts';
export { f } from './fields/index.ts';
export { JsonField, type JsonOptions } from './fields/json.ts';
export {
  DecimalField,
  type DecimalOptions,
  FloatField,
  IntegerField,
  type NumberOptions,
} from './fields/number.ts';
export {
  type ForeignKeyOptions,
  type ManyToManyOptions,
  type ModelRef,
  type OnDelete,
  RelationField,
} from './fields/relation.ts';
export {
  type CalendarOptions,
  DateField,
  DatetimeField,
  type DatetimeOptions,
  TimeField,
} from './fields/temporal.ts';
export { type StringOptions, TextField, type TextOptions, type UuidOptions } from './fields/text.ts';
export {
  type DumpOptions,
  dumpData,
  type FixtureObject,
  type LoadOptions,
  type LoadResult,
  loadData,
} from './fixtures.ts';
export {
  type CheckSpec,
  type Condition,
  type IndexMeta,
  type IndexSpec,
  ModelMeta,
  type ModelPermission,
  type PermissionAction,
  type ReverseRelation,
} from './meta.ts';
export {
  type DetectOptions,
  detectChanges,
  type PlannedMigration,
  type PlanOptions,
  planMigrations,
} from './migrations/autodetector.ts';
export {
  type Deconstruction,
  deconstruct,
  reconstruct,
  sameDeconstruction,
} from './migrations/deconstruct.ts';
export {
  type Direction,
  type MigrateOptions,
  MigrationError,
  migrate,
  type PlanStep,
  plan,
  sqlFor,
} from './migrations/executor.ts';
export { MigrationGraphError, orderMigrations } from './migrations/graph.ts';
export { type LoadMigrationsOptions, loadMigrations, MigrationLoadError } from './migrations/loader.ts';
export { migration } from './migrations/migration.ts';
export {
  type AddFieldOptions,
  type AlterableModelOptions,
  type CreateModelOptions,
  MigrationOperation,
  type NamedIndex,
  OperationError,
  op,
  type RunCodeFunction,
  type RunCodeOptions,
  type RunSqlOptions,
  type SqlStatements,
} from './migrations/operations/index.ts';
export {
  type NamedPostMigrateHook,
  type PostMigrateContext,
  type PostMigrateHook,
  runPostMigrate,
} from './migrations/post-migrate.ts';
export {
  InteractiveQuestioner,
  NonInteractiveQuestioner,
  parseRenames,
  type Questioner,
  type Rename,
} from './migrations/questioner.ts';
export {
  type AppliedMigration,
  appliedMigrations,
  MIGRATIONS_TABLE,
  tableExists,
} from './migrations/recorder.ts';
export {
  migrationSource,
  migrationSources,
  type PackagedMigrationSource,
} from './migrations/sources.ts';
export { MigrationStateError, ProjectState } from './migrations/state.ts';
export type {
  LoadedMigration,
  MigrationDefinition,
  MigrationId,
  ModelState,
  ModelStateOptions,
  Operation,
  ProjectStateLike,
  RunCodeContext,
  SchemaEditorLike,
} from './migrations/types.ts';
export { type MigrationSource, MigrationWriteError, writeMigration } from './migrations/writer.ts';
export { type AnyModel, type FieldsOf, type Model, type ModelOptions, model } from './model.ts';
export type { ModelSchema, ModelSchemas, PropertiesOf } from './model-schemas.ts';
export { observeWrites, type WriteChange, type WriteObserver } from './observers.ts';
export {
  type Aggregate,
  type AggregateFunction,
  type AggregateOptions,
  avg,
  count,
  max,
  min,
  sum,
} from './query/aggregates.ts';
export type { BulkUpdateOptions } from './query/bulk-update.ts';
export { Case, type CaseValue, when } from './query/cases.ts';
export {
  type DateExtract,
  type DateOptions,
  type DateTrunc,
  type ExtractPart,
  extract,
  type TruncUnit,
  trunc,
} from './query/dates.ts';
export {
  type DeletionBlocker,
  MultipleFoundError,
  NotFoundError,
  ProtectedError,
  QueryError,
  RestrictedError,
  ValidationError,
} from './query/errors.ts';
export { and, type Combinator, type Combined, not, or } from './query/expressions.ts';
export { type HandleKind, KeyHandle, ManyToManyHandle, ReverseHandle } from './query/handles.ts';
export {
  RelatedManager,
  type RelatedOptions,
  type RowOrKey,
  type SetResult,
} from './query/many-to-many.ts';
export { QuerySet, query } from './query/queryset.ts';
export { Expression, F, type Operand as ExpressionOperand, type Updates } from './query/refs.ts';
export type {
  DefaultReverseName,
  IsReverseOne,
  ManyToManyName,
  PrefetchedRows,
  RelatedModel,
  Relations,
  ReverseManyToManyName,
  SelectedRows,
  SelectPath,
} from './query/relation-types.ts';
export type {
  AggregateResult,
  AggregateSpec,
  AggregateValue,
  AnnotationResult,
  AnnotationSpec,
  AnnotationValue,
  DatePart,
  ExtractPath,
  Filter,
  ForwardPath,
  Grouping,
  GroupName,
  GroupOptions,
  Loaded,
  Lookup,
  OrderLookup,
  OrderName,
  PathValue,
  RowKey,
  TextLookup,
  TruncPath,
  ValueKey,
  ValuesRow,
  Where,
} from './query/types.ts';
export type { Defaults, Written } from './query/write.ts';
export { allModels, createRegistry, defaultRegistry, getModel, Registry } from './registry.ts';
export type {
  BulkUpdateField,
  BulkUpdateRow,
  CreateInput,
  FieldMap,
  FieldName,
  ForwardRelationName,
  PrimaryKeyName,
  ReadRow,
  RelatedRow,
  Row,
  UpdateInput,
} from './types.ts';
export { type FieldError, type ValidateOptions, validateInput } from './validation.ts';

/**
 * What `resource()` takes: the operations, fields, lookup, filters, search, ordering,
 * relations, pagination, permissions, hooks and actions of one model's REST resource.
 */
import type { TSchema } from 'typebox';
import type { AuthUser } from '../auth/permissions.ts';
import type { AnyContext } from '../http/context.ts';
import type { Dependency } from '../http/dependencies.ts';
import type { Database } from '../orm/database.ts';
import type { AnyModel } from '../orm/model.ts';
import { LOOKUPS as ORM_LOOKUPS } from '../orm/query/lookups.ts';
import type { QuerySet } from '../orm/query/queryset.ts';
import type { Lookup as OrmLookup } from '../orm/query/types.ts';
import type { Row } from '../orm/types.ts';

/** The operations of a resource: `GET /`, `GET /:id`, `POST /`, `PUT /:id`, `PATCH /:id`, `DELETE /:id`. */
export type Operation = 'list' | 'retrieve' | 'create' | 'replace' | 'update' | 'delete';

/** Every operation, in the order the routes are declared. */
export const OPERATIONS: readonly Operation[] = ['list', 'retrieve', 'create', 'replace', 'update', 'delete'];

/**
 * The lookups a filter may allow: the ORM's (`exact` is the bare name: `category=3`;
 * `price__gte=10`, `name__icontains=lamp`, `category__in=1,2,3`, `price__range=10,20`,
 * `discontinued__isNull=true`), and the parts of a date `year`, `month`, `day`
 * (`created__year=2026`).
 */
export type Lookup = OrmLookup | 'year' | 'month' | 'day';

/** Every lookup, for checks and messages. */
export const LOOKUPS: readonly Lookup[] = [...ORM_LOOKUPS, 'year', 'month', 'day'];

/**
 * The fields of a model by row key (`id`, `name`, `categoryId`…); a foreign key also by its
 * field's name (`category`).
 */
export type FieldKey<M extends AnyModel> = {
  [K in keyof Row<M> & string]: K extends `${infer Name}Id` ? K | Name : K;
}[keyof Row<M> & string];

/** How a list is paged: by cursor (the default), by page number, or not at all. */
export type Pagination = 'cursor' | 'page' | 'none';

/**
 * Who may use the resource:
 * - `'model'` (the default): the model permissions of the user of the session or token, mapped
 *   by method as Django REST framework's `DjangoModelPermissions` (GET `view`, POST `add`,
 *   PUT/PATCH `change`, DELETE `delete`), through `can()`: a policy rule for the action decides
 *   instead where the model's policy has one;
 * - `'read-public'`: anyone may read, writing needs the model permissions;
 * - `'public'`: anyone may do every operation the resource has (add `guards` of your own).
 *
 * With an auth app installed, the model's policy still applies to every mode: its `scope`
 * filters every list and lookup in SQL, and its rules decide each single row.
 */
export type Permissions = 'model' | 'read-public' | 'public';

/** What a hook receives: the request, the user (with auth installed), the transaction. */
export interface HookArgs<M extends AnyModel> {
  /** The request's context. */
  readonly ctx: AnyContext;
  /** The transaction the write runs in: read and write through it. */
  readonly tx: Database;
  /** The request's user (`ctx.user`, reading through `tx`), or `undefined` without an auth app. */
  readonly user: AuthUser | undefined;
  /** The model. */
  readonly model: M;
}

/**
 * Code run around the writes, inside their transaction: throw (an `HttpError`) to refuse, and
 * nothing is written. `before*` hooks may change `data` (set an owner from the user).
 */
export interface ResourceHooks<M extends AnyModel> {
  /** Before a row is inserted: `data` is the validated body, and may be changed. */
  beforeCreate?: (args: HookArgs<M> & { data: Record<string, unknown> }) => unknown;
  /** After a row is inserted, in the same transaction. */
  afterCreate?: (args: HookArgs<M> & { row: Row<M> }) => unknown;
  /** Before a row is changed (PUT or PATCH): `row` as it is, `data` the validated body (may be changed). */
  beforeUpdate?: (args: HookArgs<M> & { row: Row<M>; data: Record<string, unknown> }) => unknown;
  /** After a row is changed: `row` as it is now, `previous` as it was. */
  afterUpdate?: (args: HookArgs<M> & { row: Row<M>; previous: Row<M> }) => unknown;
  /** Before a row is deleted. */
  beforeDelete?: (args: HookArgs<M> & { row: Row<M> }) => unknown;
  /** After a row is deleted, in the same transaction. */
  afterDelete?: (args: HookArgs<M> & { row: Row<M> }) => unknown;
}

/**
 * A custom action on one row (`POST /orders/:id/cancel`) or on the collection
 * (`POST /orders/import`, with `detail: false`): the resource's lookup, scope and permission
 * apply, and the handler runs in a transaction with the row read through it.
 */
export interface ResourceAction<M extends AnyModel> {
  /** The method, `POST` by default. */
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** On one row (`/:id/<name>`, the default) or on the collection (`/<name>`). */
  detail?: boolean;
  /** The model permission (and policy rule) the action needs; `change` by default (`view` for GET). */
  permission?: 'view' | 'add' | 'change' | 'delete';
  /** The body's schema. */
  body?: TSchema;
  /** Response schemas by status, as on a route. */
  response?: Record<number, TSchema>;
  /** The success status, 200 by default. */
  status?: number;
  /** Docs. */
  summary?: string;
  description?: string;
  /**
   * The action. `row` is the row (read in the transaction) for a detail action, `rows` the
   * model's rows in the user's scope (through the transaction); what it returns is the response.
   */
  handler: (ctx: any, args: HookArgs<M> & { row: Row<M> | undefined; rows: QuerySet<M> }) => unknown;
}

/**
 * The options of `resource()`. Every name is checked against the model when the resource is
 * made: a typo stops the app's start with the names it could have been.
 */
export interface ResourceOptions<M extends AnyModel = AnyModel> {
  /** The operations to serve; all six by default. Leave one out to write its route by hand. */
  operations?: readonly Operation[];
  /** The field rows are found by in the path (`/:slug`): a unique field; the primary key by default. */
  lookup?: FieldKey<M>;
  /** The fields of the representation; every field of the model's read schema by default. */
  fields?: readonly FieldKey<M>[];
  /** The fields a client may write; every editable field by default (the model's create schema). */
  writable?: readonly FieldKey<M>[];
  /** Fields shown but never written (taken out of `writable`). */
  readOnly?: readonly FieldKey<M>[];
  /**
   * The filters of the list, by field or path across relations, with the lookups each allows
   * (`true`: `exact` and `in`).
   *
   * @example
   * ```ts
   * filters: { category: true, price: ['gte', 'lte', 'range'], name: ['icontains'], category__name: ['exact'], created: ['gte', 'year'] }
   * ```
   */
  filters?: Record<string, true | readonly Lookup[]>;
  /** Text fields (or paths) `?search=` looks in: every word must be in one of them (`icontains`). */
  search?: readonly string[];
  /**
   * Allows `filters` and `search` paths into another model whose policy has a scope. Without it
   * such a path stops the start: the database would answer it about rows the user may not see
   * (`?orders__owner__username=ada`, which products Ada ordered).
   */
  crossScopes?: boolean;
  /** The fields `?ordering=` may name (`-price` descends); the model's own fields. */
  ordering?: readonly FieldKey<M>[];
  /** The order without `?ordering=`; the model's `ordering`, else the primary key. */
  defaultOrdering?: readonly string[];
  /**
   * Relations a client may ask for with `?expand=category,tags`, each with its model: a
   * foreign key is joined in the same query, a list (reverse or many-to-many) loaded by one
   * query per relation, whatever the page size.
   */
  expand?: Record<string, AnyModel>;
  /** Relations always in the representation (loaded as `expand` does). */
  nested?: Record<string, AnyModel>;
  /** `'cursor'` (the default: stable under inserts, no count), `'page'` (`?page=`), `'none'`. */
  pagination?: Pagination;
  /** Rows per page without `?limit=`; 20 by default. */
  pageSize?: number;
  /** The largest `?limit=`; the app's `API_MAX_PAGE_SIZE` setting (100 by default) caps it. */
  maxPageSize?: number;
  /**
   * The total of a list: `false` (the default) only when asked (`?count=true`), `true` always,
   * `'estimate'` the planner's estimate on PostgreSQL (`estimatedCount()`) when asked.
   */
  count?: boolean | 'estimate';
  /** Who may use the resource; `'model'` by default. */
  permissions?: Permissions;
  /** Dependencies run before every operation (a guard of your own, an audit). */
  guards?: readonly Dependency[];
  /** Code run around writes, in their transaction. */
  hooks?: ResourceHooks<M>;
  /** Custom actions by name: `cancel` serves `POST /:id/cancel`. */
  actions?: Record<string, ResourceAction<M>>;
  /** OpenAPI tags of the routes; the model's plural name by default. */
  tags?: readonly string[];
}

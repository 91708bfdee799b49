/**
 * `resource()`: a model's REST resource in one declaration — list, retrieve, create, replace,
 * update and delete, validated with the model's schemas, filtered, searched, ordered and paged
 * as declared, guarded by the model permissions and the model's policy (its scope applied in
 * SQL), with ETags, hooks and custom actions. What Django REST framework's `ModelViewSet` with
 * a router gives, built on Volt's routes: every route typed, validated and documented.
 */
import type { TObject, TSchema } from 'typebox';
import { Type } from 'typebox';
import { Value } from 'typebox/value';
import type { AuthUser } from '../auth/permissions.ts';
import type { Policies } from '../auth/policy-registry.ts';
import type { VoltApp } from '../http/app.ts';
import type { AnyContext } from '../http/context.ts';
import type { Dependency } from '../http/dependencies.ts';
import { type FieldError, HttpError, RequestValidationError } from '../http/errors.ts';
import type { HttpMethod, RouteOptions, RouteRecord } from '../http/route.ts';
import type { RouteMark } from '../http/route-types.ts';
import { Router } from '../http/router.ts';
import type { Database } from '../orm/database.ts';
import type { AnyField } from '../orm/fields/field.ts';
import type { AnyModel } from '../orm/model.ts';
import { and } from '../orm/query/expressions.ts';
import { query } from '../orm/query/queryset.ts';
import { Access, refusal } from './access.ts';
import { didYouMean, ResourceDefinitionError } from './fields.ts';
import {
  type FilterParameter,
  filterConditions,
  filterParameters,
  filterSchema,
  searchCondition,
  searchPaths,
} from './filters.ts';
import { OPERATIONS, type ResourceAction, type ResourceOptions } from './options.ts';
import {
  decodeCursor,
  encodeCursor,
  keysetCondition,
  orderingFields,
  orderNames,
  orderTerms,
  requestedOrder,
} from './pagination.ts';
import {
  etagOf,
  exampleItem,
  matchesEtag,
  namesParameter,
  pick,
  type RelationSpec,
  relationSpecs,
  representationTag,
  withRelations,
} from './representation.ts';
import type { ResourceRoutes } from './types.ts';

/** The query parameters a resource's list reserves: a filter cannot be named so. */
export const RESERVED_PARAMETERS = [
  'limit',
  'cursor',
  'page',
  'ordering',
  'search',
  'fields',
  'expand',
  'count',
];

const JSON_TYPE = 'application/json; charset=utf-8';

/** A resource's routes: a {@link Router} to `include()` in an app (or a router). */
export class Resource<M extends AnyModel = AnyModel> extends Router<any> {
  /** The model served. */
  readonly model: M;
  readonly #attach: (app: VoltApp<any>) => void;

  constructor(model: M, attach: (app: VoltApp<any>) => void) {
    super();
    this.model = model;
    this.#attach = attach;
  }

  protected override addRoute(route: RouteRecord): void {
    const attach = this.#attach;
    const own = route.attach;
    super.addRoute({
      ...route,
      attach: (app) => {
        attach(app);
        own?.(app);
      },
    });
  }
}

/** Everything a resource decided when it was made. */
interface Plan {
  readonly model: AnyModel;
  readonly path: string;
  readonly lookup: AnyField;
  readonly readKeys: readonly string[];
  readonly readSet: ReadonlySet<string>;
  /** The fields whose values make a row's ETag. */
  readonly stateFields: readonly AnyField[];
  readonly nested: readonly RelationSpec[];
  readonly expand: ReadonlyMap<string, RelationSpec>;
  readonly filters: readonly FilterParameter[];
  readonly search: ReturnType<typeof searchPaths> | undefined;
  readonly ordering: ReadonlyMap<string, AnyField>;
  /** The model's own fields by row key: what an order's names are read against. */
  readonly own: ReadonlyMap<string, AnyField>;
  readonly defaultOrder: readonly string[];
  readonly pagination: 'cursor' | 'page' | 'none';
  readonly pageSize: number;
  /** The largest `limit` the options allow; the app's setting caps it when the resource joins it. */
  readonly maxPageSize: number;
  /** The `limit` parameter's schema: its `maximum` is the cap in force (set when the resource joins an app). */
  readonly limitSchema: { maximum: number } & Record<string, unknown>;
  readonly count: boolean | 'estimate';
  readonly access: Access;
  readonly options: ResourceOptions<any>;
}

function problem(errors: FieldError[]): never {
  throw new RequestValidationError(errors);
}

/** The row keys of `model`'s read schema. */
function readKeysOf(model: AnyModel): string[] {
  return Object.keys((model.schema.read as TObject).properties);
}

const KEY_KINDS: Record<string, string> = { fields: 'readable ', writable: 'writable ' };

/**
 * The row keys `keys` name, each one of `allowed`: a foreign key may be named by its field
 * (`category`) or its row key (`categoryId`).
 */
function checkKeys(
  model: AnyModel,
  keys: readonly unknown[],
  allowed: readonly string[],
  option: string,
): string[] {
  if (!Array.isArray(keys)) throw new ResourceDefinitionError(`${option}: give a list of field names`);
  const known = [...new Set(allowed)];
  return keys.map((key) => {
    const field =
      typeof key === 'string'
        ? model.meta.concreteFields.find((f) => f.attribute === key || f.name === key)
        : undefined;
    const attribute = field?.attribute ?? key;
    if (typeof attribute !== 'string' || !known.includes(attribute))
      throw new ResourceDefinitionError(
        `${option}: '${String(key)}' is not one of ${model.meta.label}'s ${KEY_KINDS[option] ?? ''}fields${
          typeof key === 'string'
            ? didYouMean(key, [
                ...known,
                ...model.meta.concreteFields.filter((f) => known.includes(f.attribute)).map((f) => f.name),
              ])
            : ''
        }; they are ${known.join(', ')}`,
      );
    return attribute;
  });
}

function positive(value: unknown, option: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || (value as number) < 1)
    throw new ResourceDefinitionError(`${option}: give a whole number of rows, at least 1`);
  return value as number;
}

function planOf(path: string, model: AnyModel, options: ResourceOptions<any>): Plan {
  if (!model?.meta)
    throw new ResourceDefinitionError('resource(path, Model): the second argument is not a model');
  if (typeof path !== 'string' || !path.startsWith('/'))
    throw new ResourceDefinitionError(`resource(): the path must start with "/", got "${String(path)}"`);
  const meta = model.meta;
  const allRead = readKeysOf(model);
  const readKeys = options.fields ? checkKeys(model, options.fields, allRead, 'fields') : allRead;
  const lookupKey = options.lookup ?? meta.pk.attribute;
  const lookup = meta.concreteFields.find((f) => f.attribute === lookupKey || f.name === lookupKey);
  if (!lookup || !(lookup.unique || lookup.primaryKey) || lookup.nullable)
    throw new ResourceDefinitionError(
      `lookup: '${String(lookupKey)}' is not a unique, required field of ${meta.label}; its unique fields are ${meta.concreteFields
        .filter((f) => (f.unique || f.primaryKey) && !f.nullable)
        .map((f) => f.attribute)
        .join(', ')}`,
    );
  const nested = relationSpecs(model, options.nested ?? {}, 'nested');
  const expand = relationSpecs(model, options.expand ?? {}, 'expand');
  for (const spec of expand)
    if (nested.some((n) => n.name === spec.name))
      throw new ResourceDefinitionError(`expand.${spec.name}: it is nested already (always in the rows)`);
  const filters = filterParameters(model, options.filters ?? {}, RESERVED_PARAMETERS);
  const search = options.search?.length ? searchPaths(model, options.search) : undefined;
  const ordering = orderingFields(model, options.ordering ?? [], 'ordering');
  // A cursor carries the values a list is ordered by: a field the resource hides would show in it.
  for (const name of ordering.keys())
    if (!readKeys.includes(name))
      throw new ResourceDefinitionError(
        `ordering: '${name}' is not among the resource's fields: a cursor would show its values`,
      );
  const own = new Map(meta.concreteFields.filter((f) => f.kind !== 'json').map((f) => [f.attribute, f]));
  const defaultOrder = [...(options.defaultOrdering ?? meta.ordering ?? [])];
  for (const name of defaultOrder) {
    const bare = name.startsWith('-') ? name.slice(1) : name;
    if (!own.has(bare))
      throw new ResourceDefinitionError(
        `defaultOrdering: '${name}' is not a field of ${meta.label} (a resource orders by its model's own fields${
          options.defaultOrdering ? '' : `; the model's ordering names it: set defaultOrdering`
        })`,
      );
    if (!readKeys.includes(bare))
      throw new ResourceDefinitionError(
        `defaultOrdering: '${name}' is not among the resource's fields: a cursor would show its values${
          options.defaultOrdering ? '' : ` (the model's ordering names it: set defaultOrdering)`
        }`,
      );
  }
  const pagination = options.pagination ?? 'cursor';
  if (!['cursor', 'page', 'none'].includes(pagination))
    throw new ResourceDefinitionError(`pagination: '${String(pagination)}' is not one of cursor, page, none`);
  const maxPageSize = positive(options.maxPageSize, 'maxPageSize', 100);
  const pageSize = Math.min(positive(options.pageSize, 'pageSize', 20), maxPageSize);
  const count = options.count ?? false;
  if (![true, false, 'estimate'].includes(count as never))
    throw new ResourceDefinitionError(`count: give true, false or 'estimate'`);
  const mode = options.permissions ?? 'model';
  if (!['model', 'read-public', 'public'].includes(mode))
    throw new ResourceDefinitionError(
      `permissions: '${String(mode)}' is not one of model, read-public, public`,
    );
  const readSet = new Set(readKeys);
  return {
    model,
    path: path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path,
    lookup,
    readKeys,
    readSet,
    // What a client sees of a row: a hidden field neither shows through the ETag nor changes it.
    stateFields: meta.concreteFields.filter((f) => readKeys.includes(f.attribute)),
    nested,
    expand: new Map(expand.map((spec) => [spec.name, spec])),
    filters,
    search,
    ordering,
    own,
    defaultOrder,
    pagination,
    pageSize,
    maxPageSize,
    limitSchema: {
      type: 'integer',
      minimum: 1,
      maximum: maxPageSize,
      description: `Rows per page (${pageSize} by default)`,
    },
    count,
    access: new Access(model, mode),
    options,
  };
}

/** The schema of a row in responses: its fields, nested relations, and the expandable ones (optional). */
function itemSchema(plan: Plan): TObject {
  const read = (plan.model.schema.read as TObject).properties as Record<string, TSchema>;
  const properties: Record<string, TSchema> = {};
  for (const key of plan.readKeys) properties[key] = read[key]!;
  for (const spec of plan.nested) properties[spec.name] = spec.schema;
  for (const spec of plan.expand.values())
    properties[spec.name] = Type.Optional({
      ...spec.schema,
      description: `With ?expand=${spec.name}`,
    } as TSchema);
  const schema = Type.Object(properties, { title: `${plan.model.meta.name}Item` });
  const example = exampleItem(plan.model, plan.readKeys, plan.nested);
  // An example the schema refuses (a pattern the generic values do not match) is left out.
  return Value.Check(schema, example)
    ? Type.Object(properties, { title: `${plan.model.meta.name}Item`, examples: [example] })
    : schema;
}

/** The body schema of writes: the model's create (or update) schema, narrowed to the writable fields. */
function bodySchema(plan: Plan, kind: 'create' | 'replace' | 'update'): TObject {
  const { model, options } = plan;
  const source = ((kind === 'update' ? model.schema.update : model.schema.create) as TObject)
    .properties as Record<string, TSchema>;
  const editable = Object.keys((model.schema.create as TObject).properties);
  let writable = options.writable ? checkKeys(model, options.writable, editable, 'writable') : editable;
  if (options.readOnly) {
    const readOnly = checkKeys(model, options.readOnly, [...editable, ...readKeysOf(model)], 'readOnly');
    writable = writable.filter((key) => !readOnly.includes(key));
  }
  const properties: Record<string, TSchema> = {};
  for (const key of writable) {
    // A row's primary key is its address: a replace does not change it.
    if (kind !== 'create' && key === model.meta.pk.attribute) continue;
    const schema = source[key];
    if (schema) properties[key] = schema;
  }
  // A field a row needs that clients may not write: only a hook can give it.
  const required = ((model.schema.create as TObject).required ?? []) as string[];
  const missing = required.filter((key) => !(key in properties) && key !== model.meta.pk.attribute);
  if (kind === 'create' && missing.length > 0 && !options.hooks?.beforeCreate)
    throw new ResourceDefinitionError(
      `create: ${missing.map((k) => `'${k}'`).join(', ')} ${missing.length > 1 ? 'are' : 'is'} required but clients may not write ${missing.length > 1 ? 'them' : 'it'}: set ${missing.length > 1 ? 'them' : 'it'} in hooks.beforeCreate (from the user), make ${missing.length > 1 ? 'them' : 'it'} writable, or leave create out of operations`,
    );
  const title = `${model.meta.name}${kind === 'create' ? 'Create' : kind === 'replace' ? 'Replace' : 'Update'}`;
  return Type.Object(properties, { title, additionalProperties: false });
}

/** The list's query parameters: paging, ordering, search, fields, expand, count and the filters. */
function listQuery(plan: Plan): TObject {
  const properties: Record<string, TSchema> = {};
  properties.limit = Type.Optional(plan.limitSchema as never);
  if (plan.pagination === 'cursor')
    properties.cursor = Type.Optional(
      Type.String({
        maxLength: 4096,
        description: 'Where the page starts: the `cursor` of a `next` or `previous` link',
      }),
    );
  if (plan.pagination === 'page')
    properties.page = Type.Optional(
      Type.Integer({ minimum: 1, maximum: 2 ** 31 - 1, description: 'The page number, from 1' }),
    );
  if (plan.ordering.size > 0)
    properties.ordering = Type.Optional(
      Type.String({
        maxLength: 1000,
        description: `Comma-separated fields to order by, \`-\` first to descend: ${[...plan.ordering.keys()].join(', ')}`,
      }),
    );
  if (plan.search)
    properties.search = Type.Optional(
      Type.String({ maxLength: 1000, description: `Words to look for in ${plan.search.paths.join(', ')}` }),
    );
  properties.fields = Type.Optional(
    Type.String({
      maxLength: 1000,
      description: `Comma-separated fields to return, of ${plan.readKeys.join(', ')}`,
    }),
  );
  if (plan.expand.size > 0)
    properties.expand = Type.Optional(
      Type.String({
        maxLength: 1000,
        description: `Comma-separated relations to include: ${[...plan.expand.keys()].join(', ')}`,
      }),
    );
  if (plan.pagination !== 'none')
    properties.count = Type.Optional(
      Type.Boolean({ description: 'Include the total number of rows (`count`)' }),
    );
  for (const parameter of plan.filters)
    properties[parameter.name] = Type.Optional(filterSchema(parameter) as never);
  return Type.Object(properties, { additionalProperties: false });
}

function itemQuery(plan: Plan): TObject {
  const properties: Record<string, TSchema> = {
    fields: Type.Optional(Type.String({ maxLength: 1000, description: `Comma-separated fields to return` })),
  };
  if (plan.expand.size > 0)
    properties.expand = Type.Optional(
      Type.String({
        maxLength: 1000,
        description: `Comma-separated relations to include: ${[...plan.expand.keys()].join(', ')}`,
      }),
    );
  return Type.Object(properties, { additionalProperties: false });
}

/** What a request asked of the representation: `?fields=` and `?expand=`. */
interface Shape {
  readonly keys: readonly string[] | undefined;
  readonly relations: readonly RelationSpec[];
}

function shapeOf(plan: Plan, q: Record<string, unknown>, errors: FieldError[]): Shape {
  let keys: string[] | undefined;
  // `?fields=` naming nothing asks for nothing in particular: every field.
  if (typeof q.fields === 'string' && q.fields.trim() !== '')
    keys = namesParameter(q.fields, plan.readSet, 'fields', errors);
  const relations = [...plan.nested];
  if (typeof q.expand === 'string') {
    const names = namesParameter(q.expand, new Set(plan.expand.keys()), 'expand', errors) ?? [];
    for (const name of new Set(names)) relations.push(plan.expand.get(name)!);
  }
  return { keys: keys ? [...keys, ...relations.map((r) => r.name)] : undefined, relations };
}

type Rows = Record<string, unknown>;

/** What is sent of one row: the chosen fields, or all of it. */
function sendable(shape: Shape, row: Rows): Rows {
  return shape.keys ? pick(row, shape.keys) : row;
}

/**
 * A row, a list of rows or a page (`results`) as sent: with `?fields=`, the chosen keys,
 * serialized here (the response schema would ask for every field).
 */
function sendRows(ctx: AnyContext, shape: Shape, body: Rows | Rows[]): unknown {
  if (!shape.keys) return body;
  const narrow = (row: Rows) => sendable(shape, row);
  const sent = Array.isArray(body)
    ? body.map(narrow)
    : Array.isArray(body.results)
      ? { ...body, results: (body.results as Rows[]).map(narrow) }
      : narrow(body);
  ctx.header('content-type', JSON_TYPE);
  return JSON.stringify(sent);
}

/** The URL of the list with `changes` to its query (others kept, `undefined` removes). */
function linkTo(ctx: AnyContext, changes: Record<string, string | undefined>): string {
  const request = ctx.request;
  const url = request.url;
  const at = url.indexOf('?');
  const params = new URLSearchParams(at === -1 ? '' : url.slice(at + 1));
  for (const [key, value] of Object.entries(changes)) {
    if (value === undefined) params.delete(key);
    else params.set(key, value);
  }
  const search = params.toString();
  return `${request.protocol}://${request.host}${at === -1 ? url : url.slice(0, at)}${search ? `?${search}` : ''}`;
}

function notFound(plan: Plan): HttpError {
  return new HttpError(404, {
    code: 'VOLT_ORM_NOT_FOUND',
    detail: `No ${plan.model.meta.verboseName} matches the given ${plan.lookup.attribute}.`,
  });
}

/** A refusal of the policy: a 401 for an anonymous user (logging in may help), else a 403. */
function forbidden(plan: Plan, ctx: AnyContext, action: string): HttpError {
  return refusal(plan.access.user(ctx), `You may not ${action} this ${plan.model.meta.verboseName}.`);
}

/** The list operation. */
async function list(plan: Plan, ctx: AnyContext): Promise<unknown> {
  const q = ctx.query as Record<string, unknown>;
  const errors: FieldError[] = [];
  const conditions = filterConditions(plan.filters, q, errors);
  const searching =
    plan.search && typeof q.search === 'string'
      ? searchCondition(plan.search.paths, q.search, errors)
      : undefined;
  const order =
    typeof q.ordering === 'string' ? requestedOrder(q.ordering, plan.ordering, errors) : plan.defaultOrder;
  const shape = shapeOf(plan, q, errors);
  const terms = orderTerms(plan.model, order ?? [], plan.own);
  const orderKey = orderNames(terms).join(',');
  const cursor =
    plan.pagination === 'cursor' && typeof q.cursor === 'string'
      ? decodeCursor(q.cursor, orderKey, terms, errors)
      : undefined;
  if (errors.length > 0) problem(errors);

  let set = await plan.access.scope(ctx, query(ctx.db, plan.model));
  if (Object.keys(conditions).length > 0) set = set.filter(conditions as never);
  if (searching) set = set.filter(and(...(searching as never[])) as never);
  // (A filter across a relation to many rows is an EXISTS subquery: each row comes once.)
  const limit = Math.min((q.limit as number | undefined) ?? plan.pageSize, plan.limitSchema.maximum);
  const counting = plan.pagination !== 'none' && (plan.count === true || q.count === true);
  const loaded = withRelations(set, shape.relations, await plan.access.relationScopes(ctx, shape.relations));

  if (plan.pagination === 'none') {
    const rows = (await loaded
      .orderBy(...(orderNames(terms) as never[]))
      .limit(limit)
      .all()) as Record<string, unknown>[];
    await plan.access.hideOutOfScope(ctx, rows, shape.relations, ctx.db);
    return sendRows(ctx, shape, rows);
  }
  let rows: Record<string, unknown>[];
  let next: string | null = null;
  let previous: string | null = null;
  if (plan.pagination === 'page') {
    const page = (q.page as number | undefined) ?? 1;
    const offset = (page - 1) * limit;
    if (!Number.isSafeInteger(offset + limit + 1)) throw invalidPage();
    rows = (await loaded
      .orderBy(...(orderNames(terms) as never[]))
      .offset(offset)
      .limit(limit + 1)
      .all()) as Record<string, unknown>[];
    if (rows.length === 0 && page > 1) throw invalidPage();
    if (rows.length > limit) {
      rows.pop();
      next = linkTo(ctx, { page: String(page + 1) });
    }
    if (page > 1) previous = linkTo(ctx, { page: page === 2 ? undefined : String(page - 1) });
  } else {
    const back = cursor?.back ?? false;
    const paged = cursor ? loaded.filter(keysetCondition(terms, cursor.values, back) as never) : loaded;
    rows = (await paged
      .orderBy(...(orderNames(terms, back) as never[]))
      .limit(limit + 1)
      .all()) as Record<string, unknown>[];
    const more = rows.length > limit;
    if (more) rows.pop();
    if (back) rows.reverse();
    const first = rows[0];
    const last = rows[rows.length - 1];
    if (last && (back || more)) next = linkTo(ctx, { cursor: encodeCursor(orderKey, last, terms, false) });
    if (first && (back ? more : cursor !== undefined))
      previous = linkTo(ctx, { cursor: encodeCursor(orderKey, first, terms, true) });
  }
  await plan.access.hideOutOfScope(ctx, rows, shape.relations, ctx.db);
  const body: Record<string, unknown> = { next, previous, results: rows };
  if (counting) body.count = await (plan.count === 'estimate' ? set.estimatedCount() : set.count());
  return sendRows(ctx, shape, body);
}

function invalidPage(): HttpError {
  return new HttpError(404, {
    code: 'VOLT_CRUD_INVALID_PAGE',
    detail: 'Invalid page: the list has fewer pages.',
  });
}

/**
 * The row the path names, inside the policy's scope, read through `db` (locked for a write on
 * PostgreSQL); a row out of scope, or one the policy does not let the user view, is not found.
 */
async function lookupRow(
  plan: Plan,
  ctx: AnyContext,
  db: Database,
  relations: readonly RelationSpec[],
  lock: boolean,
): Promise<Record<string, unknown>> {
  const key = plan.lookup.attribute;
  let set = await plan.access.scope(ctx, query(db, plan.model), db);
  set = withRelations(set, relations, await plan.access.relationScopes(ctx, relations, db));
  if (lock && db.inTransaction) set = set.selectForUpdate() as typeof set;
  const row = (await set.filter({ [key]: (ctx.params as Record<string, unknown>)[key] } as never).first()) as
    | Record<string, unknown>
    | undefined;
  if (!row || !(await plan.access.allows(ctx, 'view', row, db))) throw notFound(plan);
  await plan.access.hideOutOfScope(ctx, [row], relations, db);
  return row;
}

function userIn(plan: Plan, ctx: AnyContext, db: Database): AuthUser | undefined {
  const user = plan.access.user(ctx);
  return user?.using(db);
}

async function retrieve(plan: Plan, ctx: AnyContext): Promise<unknown> {
  const errors: FieldError[] = [];
  const shape = shapeOf(plan, ctx.query as Record<string, unknown>, errors);
  if (errors.length > 0) problem(errors);
  const row = await lookupRow(plan, ctx, ctx.db, shape.relations, false);
  // The row alone: its state's (strong) tag, which If-Match takes. With relations or chosen
  // fields, a weak tag of what is sent: a changed related row is a new representation.
  const plain = shape.relations.length === 0 && shape.keys === undefined;
  const etag = plain ? etagOf(row, plan.stateFields) : representationTag(sendable(shape, row));
  ctx.header('etag', etag);
  if (matchesEtag(ctx.headers['if-none-match'] as string | undefined, etag, true)) {
    ctx.status(304);
    return undefined;
  }
  return sendRows(ctx, shape, row);
}

/** The row as the write responses show it: with the nested relations. */
async function reread(
  plan: Plan,
  ctx: AnyContext,
  db: Database,
  row: Record<string, unknown>,
): Promise<Record<string, unknown>> {
  if (plan.nested.length === 0) return row;
  const pk = plan.model.meta.pk.attribute;
  const scopes = await plan.access.relationScopes(ctx, plan.nested, db);
  return (await withRelations(query(db, plan.model), plan.nested, scopes).get({
    [pk]: row[pk],
  } as never)) as Record<string, unknown>;
}

/** Refuses a write whose row would fall outside the user's scope: they could not see what they made. */
async function keepInScope(
  plan: Plan,
  ctx: AnyContext,
  tx: Database,
  row: Record<string, unknown>,
): Promise<void> {
  if (!plan.access.hasScope(ctx)) return;
  const pk = plan.model.meta.pk.attribute;
  const inScope = await (await plan.access.scope(ctx, query(tx, plan.model), tx))
    .filter({ [pk]: row[pk] } as never)
    .exists();
  if (!inScope)
    throw new HttpError(403, {
      code: 'VOLT_AUTH_PERMISSION_DENIED',
      detail: `The ${plan.model.meta.verboseName} would be outside the rows you may see.`,
    });
}

async function create(plan: Plan, ctx: AnyContext): Promise<unknown> {
  const hooks = plan.options.hooks ?? {};
  const row = await ctx.db.transaction(async (tx) => {
    const data = { ...(ctx.body as Record<string, unknown>) };
    const args = { ctx, tx, user: userIn(plan, ctx, tx), model: plan.model };
    await hooks.beforeCreate?.({ ...args, data });
    await refuseUnseenKeys(plan, ctx, data, tx);
    // The rule sees the row as it will be written (an owner the hook set).
    if (!(await plan.access.allows(ctx, 'add', data, tx))) throw forbidden(plan, ctx, 'add');
    const created = (await query(tx, plan.model).create(data as never)) as Record<string, unknown>;
    await keepInScope(plan, ctx, tx, created);
    await hooks.afterCreate?.({ ...args, row: created as never });
    return reread(plan, ctx, tx, created);
  });
  ctx.status(201);
  // The collection's path as requested: a router's prefix included.
  const url = ctx.request.url;
  const at = url.indexOf('?');
  const collection = (at === -1 ? url : url.slice(0, at)).replace(/\/+$/, '');
  ctx.header('location', `${collection}/${encodeURIComponent(String(row[plan.lookup.attribute]))}`);
  ctx.header('etag', etagOf(row, plan.stateFields));
  return row;
}

/**
 * Refuses a write whose foreign keys point at rows the user may not see (their model's scope),
 * with the answer a row that does not exist gets: a 422 on the field.
 */
async function refuseUnseenKeys(plan: Plan, ctx: AnyContext, data: Record<string, unknown>, tx: Database) {
  const errors = await plan.access.unseenKeys(ctx, data, tx);
  if (errors.length > 0)
    throw new HttpError(422, { code: 'VOLT_ORM_VALIDATION', detail: 'The request is not valid.', errors });
}

/** Refuses a write whose `If-Match` names another state of the row: 412. */
function checkPrecondition(plan: Plan, ctx: AnyContext, row: Record<string, unknown>): void {
  const header = ctx.headers['if-match'] as string | undefined;
  if (header === undefined) return;
  if (!matchesEtag(header, etagOf(row, plan.stateFields), false))
    throw new HttpError(412, {
      code: 'VOLT_CRUD_PRECONDITION_FAILED',
      detail: `The ${plan.model.meta.verboseName} has changed since you read it: read it again, then retry.`,
    });
}

async function update(plan: Plan, ctx: AnyContext): Promise<unknown> {
  const hooks = plan.options.hooks ?? {};
  const row = await ctx.db.transaction(async (tx) => {
    const current = await lookupRow(plan, ctx, tx, [], true);
    if (!(await plan.access.allows(ctx, 'change', current, tx))) throw forbidden(plan, ctx, 'change');
    checkPrecondition(plan, ctx, current);
    const data = { ...(ctx.body as Record<string, unknown>) };
    const args = { ctx, tx, user: userIn(plan, ctx, tx), model: plan.model };
    await hooks.beforeUpdate?.({ ...args, row: current as never, data });
    await refuseUnseenKeys(plan, ctx, data, tx);
    const pk = plan.model.meta.pk.attribute;
    const changed = (await query(tx, plan.model)
      .filter({ [pk]: current[pk] } as never)
      .updateOne(data as never)) as Record<string, unknown>;
    await keepInScope(plan, ctx, tx, changed);
    await hooks.afterUpdate?.({ ...args, row: changed as never, previous: current as never });
    return reread(plan, ctx, tx, changed);
  });
  ctx.header('etag', etagOf(row, plan.stateFields));
  return row;
}

async function remove(plan: Plan, ctx: AnyContext): Promise<undefined> {
  const hooks = plan.options.hooks ?? {};
  await ctx.db.transaction(async (tx) => {
    const current = await lookupRow(plan, ctx, tx, [], true);
    if (!(await plan.access.allows(ctx, 'delete', current, tx))) throw forbidden(plan, ctx, 'delete');
    checkPrecondition(plan, ctx, current);
    const args = { ctx, tx, user: userIn(plan, ctx, tx), model: plan.model };
    await hooks.beforeDelete?.({ ...args, row: current as never });
    const pk = plan.model.meta.pk.attribute;
    await query(tx, plan.model)
      .filter({ [pk]: current[pk] } as never)
      .delete();
    await hooks.afterDelete?.({ ...args, row: current as never });
  });
  ctx.status(204);
  return undefined;
}

/**
 * A custom action's handler: the row (for a detail action) read in a transaction, then the
 * action's code with that transaction. A GET action reads outside any transaction (`tx` is `ctx.db`).
 */
function actionHandler(
  plan: Plan,
  action: ResourceAction<any>,
  permission: 'view' | 'add' | 'change' | 'delete',
  method: HttpMethod,
) {
  const detail = action.detail ?? true;
  const run = async (ctx: AnyContext, tx: Database) => {
    const row = detail ? await lookupRow(plan, ctx, tx, [], method !== 'GET') : undefined;
    if (row && !(await plan.access.allows(ctx, permission, row, tx))) throw forbidden(plan, ctx, permission);
    const rows = await plan.access.scope(ctx, query(tx, plan.model), tx);
    return action.handler(ctx, {
      ctx,
      tx,
      user: userIn(plan, ctx, tx),
      model: plan.model,
      row: row as never,
      rows: rows as never,
    });
  };
  return method === 'GET'
    ? (ctx: AnyContext) => run(ctx, ctx.db)
    : (ctx: AnyContext) => ctx.db.transaction((tx) => run(ctx, tx));
}

const PAGE_DESCRIPTION = {
  cursor: 'A page of rows, with links to the next and previous pages (`null` at either end)',
  page: 'A page of rows, with links to the next and previous pages (`null` at either end)',
};

/**
 * A model's REST resource: the routes of list (`GET path`), retrieve (`GET path/:id`), create
 * (`POST path`), replace (`PUT path/:id`), update (`PATCH path/:id`) and delete
 * (`DELETE path/:id`), as a router to include in the app. Every name in the options is
 * checked against the model when the resource is made.
 *
 * - Reads: `?fields=`, `?expand=` (declared relations: one join or one query each, never one
 *   per row), declared `filters` with lookups, `?search=`, `?ordering=`; cursor pages by
 *   default (`next`/`previous` links, no count), `?count=true` for the total; an ETag on each
 *   row, `If-None-Match` answered 304.
 * - Writes: in a transaction; the body checked against the model's schemas narrowed to the
 *   writable fields (an unknown field is a 422); a foreign key to no row is a 422 on that
 *   field, a duplicate of a unique value a 409; `If-Match` with a stale ETag is a 412.
 * - Who: the model permissions by method (GET view, POST add, PUT/PATCH change, DELETE delete)
 *   unless `permissions` opens it; the model's policy decides single rows and its `scope` limits
 *   every list and lookup in SQL (a row out of scope is a 404).
 *
 * @example
 * ```ts
 * import { resource } from 'voltjs/crud';
 * app.include(
 *   resource('/api/products', Product, {
 *     filters: { category: true, price: ['gte', 'lte'] },
 *     search: ['name'],
 *     ordering: ['price', 'name'],
 *     expand: { category: Category },
 *   }),
 * );
 * ```
 */
export function resource<const P extends string, M extends AnyModel, const O extends ResourceOptions<M> = {}>(
  path: P,
  model: M,
  options: O & ResourceOptions<M> = {} as O,
): Resource<M> & RouteMark<ResourceRoutes<P, M, O>> {
  const plan = planOf(path, model, options as ResourceOptions<any>);
  const { access } = plan;
  const attached = new WeakSet<object>();
  const router = new Resource(model, (app) => {
    const cap = app.settings.apiMaxPageSize;
    plan.limitSchema.maximum = Math.min(plan.maxPageSize, cap);
    if (attached.has(app)) return;
    attached.add(app);
    // An app composed by volt() lists its installed apps (and answers ctx.user without auth
    // with an error naming the fix): told at once, before any other check.
    const installed = (app as { apps?: readonly { name: string }[] }).apps;
    const hasAuth = () =>
      installed ? installed.some((a) => a.name === 'auth') : app.hasContextProperty('user');
    access.auth = hasAuth();
    if (access.needsAuth && !access.auth) throw needsAuth(plan);
    // Installed apps may come after the one that declares the resource: asked again at startup.
    app.onStartup(() => {
      access.auth = hasAuth();
      if (access.needsAuth && !access.auth) throw needsAuth(plan);
      const policies = (installed?.find((a) => a.name === 'auth') as { policies?: Policies } | undefined)
        ?.policies;
      if (policies && !options.crossScopes) checkCrossings(plan, policies);
    });
  });
  const operations = options.operations ?? OPERATIONS;
  for (const operation of operations)
    if (!OPERATIONS.includes(operation))
      throw new ResourceDefinitionError(
        `operations: '${String(operation)}' is not one of ${OPERATIONS.join(', ')}`,
      );
  const meta = model.meta;
  const tags = options.tags ? [...options.tags] : [meta.verboseNamePlural];
  const item = itemSchema(plan);
  const key = plan.lookup.attribute;
  const params = Type.Object({ [key]: plan.lookup.valueSchema() as TSchema });
  const detailPath = `${plan.path}/:${key}`;
  const guards = options.guards ?? [];
  const guarded = (action: 'view' | 'add' | 'change' | 'delete', row = true): Dependency[] => {
    const guard = access.guard(action, row);
    return guard ? [guard, ...guards] : [...guards];
  };
  const one = meta.verboseName;
  const many = meta.verboseNamePlural;
  const aOne = `${/^[aeiou]/i.test(one) ? 'an' : 'a'} ${one}`;
  const declare = (
    method: HttpMethod,
    at: string,
    route: RouteOptions<any, any, any, any, any, any, any>,
    handler: (ctx: AnyContext) => unknown,
  ) => router.route(method, at, { tags, ...route }, handler as never);
  const writeErrors = {
    404: `No ${one} with this ${key}, or not one you may see`,
    409: 'A unique value is taken, or the row is still referenced',
    412: 'If-Match names another state of the row',
  };

  for (const operation of operations) {
    switch (operation) {
      case 'list': {
        const listed =
          plan.pagination === 'none'
            ? Type.Array(item)
            : Type.Object(
                {
                  count: Type.Optional(
                    Type.Integer({ minimum: 0, description: 'The total, with ?count=true' }),
                  ),
                  next: Type.Union([Type.String({ format: 'uri' }), Type.Null()]),
                  previous: Type.Union([Type.String({ format: 'uri' }), Type.Null()]),
                  results: Type.Array(item),
                },
                { title: `${meta.name}Page`, description: PAGE_DESCRIPTION[plan.pagination] },
              );
        declare(
          'GET',
          plan.path,
          {
            summary: `List ${many}`,
            query: listQuery(plan),
            response: { 200: listed },
            dependencies: guarded('view', false),
            responseDescriptions: plan.pagination === 'page' ? { 404: 'A page past the last one' } : {},
          },
          (ctx) => list(plan, ctx),
        );
        break;
      }
      case 'retrieve':
        declare(
          'GET',
          detailPath,
          {
            summary: `Get ${aOne}`,
            params,
            query: itemQuery(plan),
            response: { 200: item },
            dependencies: guarded('view'),
            responseDescriptions: { 304: 'Not modified (If-None-Match)', 404: writeErrors[404] },
          },
          (ctx) => retrieve(plan, ctx),
        );
        break;
      case 'create':
        declare(
          'POST',
          plan.path,
          {
            summary: `Add ${aOne}`,
            body: bodySchema(plan, 'create'),
            status: 201,
            response: { 201: withoutExpand(plan, item) },
            dependencies: guarded('add'),
            responseDescriptions: { 201: `The ${one}, at the URL in Location`, 409: writeErrors[409] },
          },
          (ctx) => create(plan, ctx),
        );
        break;
      case 'replace':
      case 'update':
        declare(
          operation === 'replace' ? 'PUT' : 'PATCH',
          detailPath,
          {
            summary: `${operation === 'replace' ? 'Replace' : 'Change'} ${aOne}`,
            params,
            body: bodySchema(plan, operation),
            headers: preconditionHeaders(),
            response: { 200: withoutExpand(plan, item) },
            dependencies: guarded('change'),
            responseDescriptions: writeErrors,
          },
          (ctx) => update(plan, ctx),
        );
        break;
      case 'delete':
        declare(
          'DELETE',
          detailPath,
          {
            summary: `Delete ${aOne}`,
            params,
            headers: preconditionHeaders(),
            status: 204,
            dependencies: guarded('delete'),
            responseDescriptions: writeErrors,
          },
          (ctx) => remove(plan, ctx),
        );
        break;
    }
  }
  for (const [name, action] of Object.entries(options.actions ?? {})) {
    if (!/^[a-z][a-z0-9-]*$/i.test(name))
      throw new ResourceDefinitionError(
        `actions.${name}: an action's name is a path segment (letters, digits, -)`,
      );
    if (typeof action?.handler !== 'function')
      throw new ResourceDefinitionError(`actions.${name}: give a handler`);
    const method = action.method ?? 'POST';
    const permission = action.permission ?? (method === 'GET' ? 'view' : 'change');
    const detail = action.detail ?? true;
    declare(
      method,
      detail ? `${detailPath}/${name}` : `${plan.path}/${name}`,
      {
        summary: action.summary ?? `${name[0]!.toUpperCase()}${name.slice(1)} ${detail ? aOne : many}`,
        ...(action.description ? { description: action.description } : {}),
        ...(detail ? { params } : {}),
        ...(action.body ? { body: action.body } : {}),
        ...(action.response ? { response: action.response } : {}),
        ...(action.status ? { status: action.status } : {}),
        dependencies: guarded(permission, detail),
        responseDescriptions: detail ? { 404: writeErrors[404] } : {},
      },
      actionHandler(plan, action, permission, method),
    );
  }
  return router;
}

/**
 * Refuses filter and search paths into another model whose policy has a scope: the database
 * would answer them about rows the user may not see (`?orders__owner__username=ada` tells which
 * products Ada ordered). Asked at startup, when the auth app's policies are known.
 */
function checkCrossings(plan: Plan, policies: Policies): void {
  const paths: Array<[string, readonly AnyModel[]]> = [
    ...plan.filters.map((p): [string, readonly AnyModel[]] => [`filters: '${p.name}'`, p.through]),
    ...[...(plan.search?.through ?? [])].map(([path, through]): [string, readonly AnyModel[]] => [
      `search: '${path}'`,
      through,
    ]),
  ];
  for (const [where, through] of paths) {
    const scoped = through.find((model) => model !== plan.model && policies.get(model)?.scope);
    if (scoped)
      throw new ResourceDefinitionError(
        `${where} reaches ${scoped.meta.label}, whose policy has a scope: the answers would tell about rows a user may not see. Leave it out, or give crossScopes: true if they may be public`,
      );
  }
}

/** The resource checks permissions on an app without users. */
function needsAuth(plan: Plan): Error {
  return Object.assign(
    new Error(
      `The resource ${plan.path} checks permissions (permissions: '${plan.access.mode}'), but the app has no auth app: install auth() (apps: [auth(), …]) or give permissions: 'public'`,
    ),
    { code: 'VOLT_CRUD_NEEDS_AUTH' },
  );
}

/** The item schema of write responses: nested relations, not the expandable ones. */
function withoutExpand(plan: Plan, item: TObject): TObject {
  if (plan.expand.size === 0) return item;
  const properties = { ...item.properties } as Record<string, TSchema>;
  for (const name of plan.expand.keys()) delete properties[name];
  return Type.Object(properties, {
    title: `${plan.model.meta.name}Item`,
    examples: (item as { examples?: unknown }).examples,
  });
}

function preconditionHeaders(): TObject {
  return Type.Object({
    'if-match': Type.Optional(
      Type.String({
        maxLength: 1000,
        description: "The row's ETag as read: the write is refused (412) if it changed since",
      }),
    ),
  });
}

/**
 * Field-level history: every write to a registered model — through the admin, the REST
 * resources, or the app's own ORM calls — is recorded in the write's own transaction, with
 * who made it (the request's user; none for a script), when, and each changed field's old and
 * new value. Write-only fields (a password hash) are recorded as changed, never with their
 * values. Django records only a free-text message, for admin edits only.
 */
import { CurrentUser } from '../auth/permissions.ts';
import { currentContext } from '../http/request-context.ts';
import type { Database } from '../orm/database.ts';
import type { AnyField } from '../orm/fields/field.ts';
import { f } from '../orm/fields/index.ts';
import type { AnyModel } from '../orm/model.ts';
import { model } from '../orm/model.ts';
import { observeWrites, type WriteChange } from '../orm/observers.ts';
import { query } from '../orm/query/queryset.ts';

/** One write of one row: Django's `LogEntry`, with the fields' values. */
export const Change = model(
  'admin.Change',
  {
    at: f.datetime({ autoNowAdd: true }),
    userId: f.string({ maxLength: 64, nullable: true }),
    userName: f.string({ maxLength: 150, default: '' }),
    action: f.enum({ create: 'Added', update: 'Changed', delete: 'Deleted' }),
    model: f.string({ maxLength: 100 }),
    objectKey: f.string({ maxLength: 255 }),
    objectText: f.string({ maxLength: 200, default: '' }),
    /** `{ field: { old, new } }` by field name; a write-only field `{ masked: true }`. */
    changes: f.json({ default: () => ({}) }),
    /** Where the write came from: the admin's pages, another request (the API), or neither. */
    source: f.enum({ admin: 'Admin', request: 'Request', script: 'Script' }, { default: 'script' }),
  },
  {
    ordering: ['-at', '-id'],
    indexes: [{ fields: ['model', 'objectKey'] }, { fields: ['userId', '-at'] }],
  },
);

/** A staff user's saved change-list settings of one model: the columns shown and the filters. */
export const ListSetting = model(
  'admin.ListSetting',
  {
    userId: f.string({ maxLength: 64 }),
    model: f.string({ maxLength: 100 }),
    columns: f.json({ default: () => [] }),
    query: f.string({ maxLength: 2000, default: '' }),
  },
  { uniqueTogether: [['userId', 'model']] },
);

/** One field's change as stored. */
export interface FieldChange {
  readonly old?: unknown;
  readonly new?: unknown;
  readonly masked?: true;
}

/** A value as JSON keeps it: a datetime as ISO text, a bigint as text. */
function stored(value: unknown): unknown {
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'bigint') return value.toString();
  return value ?? null;
}

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(stored(a)) === JSON.stringify(stored(b));
}

/** The fields of a change: every field for a create or delete, the changed ones for an update. */
export function fieldChanges(model: AnyModel, change: WriteChange): Record<string, FieldChange> {
  const out: Record<string, FieldChange> = {};
  for (const field of model.meta.fields) {
    // Many-to-many links are in a change only when the admin's form reports them (by name).
    if (
      field.column === null &&
      !(field.kind === 'manyToMany' && (change.before?.[field.name] ?? change.after?.[field.name]))
    )
      continue;
    const key = field.column === null ? field.name : field.attribute;
    const before = change.before?.[key];
    const after = change.after?.[key];
    if (change.action === 'update' && same(before, after)) continue;
    if (change.action === 'create' && (after === null || after === undefined || after === '')) continue;
    if (change.action === 'delete' && (before === null || before === undefined || before === '')) continue;
    if (field.primaryKey && change.action === 'update') continue;
    out[field.name] = field.writeOnly
      ? { masked: true }
      : {
          ...(change.action !== 'create' ? { old: stored(before) } : {}),
          ...(change.action !== 'delete' ? { new: stored(after) } : {}),
        };
  }
  return out;
}

/** Who and where a write happened: the request's user and whether it was an admin page. */
function origin(prefix: string): {
  userId: string | null;
  userName: string;
  source: 'admin' | 'request' | 'script';
} {
  const ctx = currentContext();
  if (!ctx) return { userId: null, userName: '', source: 'script' };
  let user: unknown;
  try {
    user = (ctx as any).user;
  } catch {
    user = undefined;
  }
  const path = ctx.request.url;
  const source = path === prefix || path.startsWith(`${prefix}/`) ? 'admin' : 'request';
  if (user instanceof CurrentUser)
    return { userId: String(user.id), userName: String((user.row as any).username ?? user.id), source };
  return { userId: null, userName: '', source };
}

/** Stores `changes` of `tracked`'s rows in `admin.Change`, on `tx` (the writes' transaction). */
export async function storeChanges(
  tx: Database,
  tracked: AnyModel,
  changes: readonly WriteChange[],
  prefix: string,
  text: (row: Record<string, any>) => string,
): Promise<void> {
  const who = origin(prefix);
  const rows = [];
  for (const change of changes) {
    const fields = fieldChanges(tracked, change);
    if (change.action === 'update' && Object.keys(fields).length === 0) continue;
    const row = (change.after ?? change.before) as Record<string, any>;
    rows.push({
      ...who,
      action: change.action,
      model: tracked.meta.label,
      objectKey: String(change.key),
      objectText: text(row).slice(0, 200),
      changes: fields,
    });
  }
  if (rows.length) await query(tx, Change).bulkCreate(rows as never);
}

/**
 * Records the writes on `models` through `db` (the app's database, its views and
 * transactions) in `admin.Change`, in the writes' own transactions. Returns what stops it.
 */
export function recordHistory(
  db: Database,
  models: readonly AnyModel[],
  prefix: string,
  displayOf: (model: AnyModel) => (row: Record<string, any>) => string,
): () => void {
  const stops = models.map((tracked) =>
    observeWrites(db, tracked, (tx, changes) =>
      storeChanges(tx, tracked, changes, prefix, displayOf(tracked)),
    ),
  );
  return () => {
    for (const stop of stops) stop();
  };
}

/**
 * The value `field` had in a recorded change, as the field takes it again (a datetime from
 * its ISO text); `undefined` when it cannot be restored (masked, or a relation list).
 */
export function restorable(field: AnyField, change: FieldChange): { value: unknown } | undefined {
  if (change.masked || !('old' in change)) return undefined;
  const value = change.old;
  if (field.kind === 'manyToMany') return undefined;
  if (value === null) return { value: null };
  if (field.kind === 'datetime') return { value: new Date(String(value)) };
  return { value };
}

/**
 * The `get()` fast path: `get({ key: value, … })` on a fresh query, where every key is a plain
 * field compared with `=`, runs a plan made by the general path the first time and reused after
 * (the SQL, and the fields' value rules, which check the values and turn them into its
 * parameters as the general path does). The most common query skips building conditions, shapes
 * and cache keys.
 */
import { isDeepStrictEqual } from 'node:util';
import type { AnyField } from '../fields/field.ts';
import type { AnyModel } from '../model.ts';
import { compiledSelect } from './compiler.ts';
import { MultipleFoundError, NotFoundError } from './errors.ts';
import { rowOf } from './hydrate.ts';
import { fieldOperand } from './lookup-sql.ts';
import { NEVER, type ValueRule } from './lookup-values.ts';
import { resolveKey } from './lookups.ts';
import { INITIAL, type Source, type State, whereOf } from './state.ts';

/** The plan of a direct `get()` for one set of condition keys. */
interface DirectGet {
  readonly sql: string;
  /** The condition keys, in order: a signature shared by other keys (`'a|b'`) does not match them. */
  readonly names: readonly string[];
  /** Each key's value rule (`lookup-values.ts`): a wrong type is the general path's `QueryError`. */
  readonly rules: readonly ValueRule[];
}
const directGets = new WeakMap<AnyModel, Map<string, DirectGet | null>>();

function sameNames(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function isDirectValue(value: unknown): boolean {
  const type = typeof value;
  return type === 'string' || type === 'number' || type === 'boolean' || type === 'bigint';
}

/**
 * `get()` of a fresh query (`INITIAL`, or locked by a bare `selectForUpdate()`: `LOCKED_INITIAL`)
 * by plain `=` conditions through a reused plan; `undefined` when the conditions are of another
 * kind (the general path answers them).
 */
export function directGet(
  source: Source,
  conditions: Record<string, unknown>,
  state: State = INITIAL,
): Promise<Record<string, unknown>> | undefined {
  if (
    typeof conditions !== 'object' ||
    conditions === null ||
    Object.getPrototypeOf(conditions) !== Object.prototype
  )
    return undefined;
  const { db, model } = source;
  const lock = state.lock;
  // The general path explains why a lock needs a transaction.
  if (lock && !db.inTransaction) return undefined;
  let signature: string = lock
    ? `${db.dialect}|for update${lock.noWait ? ' nowait' : ''}${lock.skipLocked ? ' skip locked' : ''}`
    : db.dialect;
  const names: string[] = [];
  const values: unknown[] = [];
  for (const key in conditions) {
    const value = conditions[key];
    if (!isDirectValue(value)) return undefined;
    signature += `|${key}`;
    names.push(key);
    values.push(value);
  }
  if (values.length === 0) return undefined;
  let plans = directGets.get(model);
  if (!plans) {
    plans = new Map();
    directGets.set(model, plans);
  }
  let plan = plans.get(signature);
  if (plan === undefined) {
    const made = planDirectGet(source, conditions, values, state);
    // A value a column cannot hold says nothing of the keys: plan them on a later call.
    if (made === undefined) return undefined;
    plan = made;
    if (plans.size < 200) plans.set(signature, plan);
  }
  if (plan === null || !sameNames(plan.names, names)) return undefined;
  const ops = db.ops;
  const params = new Array<unknown>(values.length);
  for (let i = 0; i < values.length; i++) {
    const value = plan.rules[i]!.equal(values[i], names[i]!);
    // A value the column cannot hold matches nothing: the general path says so without SQL errors.
    if (value === NEVER) return undefined;
    params[i] = value;
  }
  return db.arrays(plan.sql, params).then((raw) => {
    const label = model.meta.label;
    if (raw.length === 0) throw new NotFoundError(`No ${label} matches the query`);
    if (raw.length > 1) throw new MultipleFoundError(`More than one ${label} matches the query`);
    return rowOf(model.meta.concreteFields, raw[0]!, ops);
  });
}

/**
 * The plan of a direct `get()`, `null` when these keys are not all plain `=` on fields, or
 * `undefined` when a value cannot be held by its column (nothing to plan with; not cached).
 */
function planDirectGet(
  source: Source,
  conditions: Record<string, unknown>,
  values: readonly unknown[],
  state: State,
): DirectGet | null | undefined {
  const { db, model } = source;
  const keys: AnyField[] = [];
  for (const key in conditions) {
    const target = key.includes('__') ? undefined : resolveKey(model, key);
    if (!target || target.path || !target.field || target.part || target.lookup !== 'exact') return null;
    keys.push(target.field);
  }
  const names = Object.keys(conditions);
  const rules = keys.map((field) => fieldOperand(field, db.ops, undefined, undefined).values!);
  if (rules.some((rule, i) => rule.equal(values[i], names[i]!) === NEVER)) return undefined;
  // What `query(db, model).filter(conditions).get()` runs (`.selectForUpdate()` first: locked).
  const where = [whereOf(model, INITIAL.annotations, [conditions], db.ops)];
  const single = where.some((w) => w.unique);
  const { sql: text, parameters } = compiledSelect(source, 'select', model.meta.concreteFields, {
    ...state,
    where,
    order: [],
    limit: single ? undefined : 2,
  });
  const ops = db.ops;
  const expected = values.map((value, i) => keys[i]!.toDb(value, ops));
  if (!isDeepStrictEqual([...parameters], expected)) return null;
  return { sql: text, names, rules };
}

/** @internal The condition-key signatures planned for a model (`'sqlite|id'`), for tests. */
export function plannedSignatures(model: AnyModel): string[] {
  return [...(directGets.get(model) ?? [])].filter(([, plan]) => plan !== null).map(([key]) => key);
}

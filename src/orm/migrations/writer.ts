/**
 * The migration writer: a migration as a TypeScript file a person can read and edit, laid
 * out the way Biome formats code (2 spaces, single quotes, trailing commas, 110 columns), so
 * a formatter run over it changes nothing.
 *
 * Default functions are written from their source text: a default function in a model must
 * therefore be self-contained (no variables from the module around it).
 */
import type { AnyField } from '../fields/field.ts';
import { deconstruct } from './deconstruct.ts';
import { MigrationOperation } from './operations/base.ts';
import type { MigrationId, Operation } from './types.ts';

const WIDTH = 110;

/** A piece of code: text, a call, an object, an array or an object property. */
type Doc =
  | string
  | { readonly kind: 'call'; readonly callee: string; readonly items: readonly Doc[] }
  | { readonly kind: 'object'; readonly items: readonly Doc[]; readonly expand?: boolean }
  | { readonly kind: 'array'; readonly items: readonly Doc[] }
  | { readonly kind: 'property'; readonly key: string; readonly value: Doc };

/** An error for a value a migration cannot hold (a class instance, a symbol). */
export class MigrationWriteError extends Error {
  override readonly name = 'MigrationWriteError';
  /** Stable code: `VOLT_MIGRATION_WRITE`. */
  readonly code = 'VOLT_MIGRATION_WRITE';
}

/** A string literal with the quote that needs fewer escapes (single on a tie), as Biome picks. */
export function quote(text: string): string {
  const json = JSON.stringify(text).slice(1, -1);
  const singles = (text.match(/'/gu) ?? []).length;
  const doubles = (text.match(/"/gu) ?? []).length;
  if (doubles < singles) return `"${json}"`;
  return `'${json.replaceAll('\\"', '"').replaceAll("'", "\\'")}'`;
}

function propertyKey(key: string): string {
  return /^[A-Za-z_$][A-Za-z0-9_$]*$/u.test(key) ? key : quote(key);
}

/** A function's source as an expression (a method `default() {…}` becomes `function () {…}`). */
function functionSource(fn: (...args: never[]) => unknown): string {
  const source = fn.toString();
  if (/^(async\s+)?(function\b|\(|[A-Za-z_$][\w$]*\s*=>)/u.test(source)) return source;
  const method = /^(async\s+)?\*?\s*[A-Za-z_$][\w$]*\s*\(/u.exec(source);
  if (method) return `${method[1] ?? ''}function ${source.slice(method[0].length - 1)}`;
  throw new MigrationWriteError(`the function ${source.slice(0, 40)} cannot be written into a migration`);
}

function isField(value: unknown): value is AnyField {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as AnyField).bind === 'function' &&
    'declaredOptions' in value
  );
}

/** The code of one value. `owner` resolves a field's relative relation targets. */
function valueDoc(value: unknown, owner: string | undefined, where: string): Doc {
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  if (typeof value === 'string') return quote(value);
  if (typeof value === 'number') {
    if (!Number.isFinite(value))
      return Number.isNaN(value) ? 'Number.NaN' : value > 0 ? 'Infinity' : '-Infinity';
    return Object.is(value, -0) ? '-0' : String(value);
  }
  if (typeof value === 'boolean') return String(value);
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value === 'function') return functionSource(value as () => unknown);
  if (value instanceof Date) return { kind: 'call', callee: 'new Date', items: [quote(value.toISOString())] };
  if (isField(value)) return fieldDoc(value, owner);
  if (Array.isArray(value))
    return { kind: 'array', items: value.map((item) => valueDoc(item, owner, where)) };
  if (typeof value === 'object' && [Object.prototype, null].includes(Object.getPrototypeOf(value))) {
    const items: Doc[] = [];
    for (const [key, item] of Object.entries(value)) {
      if (item === undefined) continue;
      items.push({
        kind: 'property',
        key: propertyKey(key),
        value: valueDoc(item, owner, `${where}.${key}`),
      });
    }
    return { kind: 'object', items };
  }
  throw new MigrationWriteError(
    `${where}: ${String(value)} cannot be written into a migration (only plain data, dates, functions and f fields)`,
  );
}

/** `f.string({ maxLength: 200 })`. */
function fieldDoc(field: AnyField, owner: string | undefined): Doc {
  const { builder, args } = deconstruct(field, owner);
  return {
    kind: 'call',
    callee: `f.${builder}`,
    items: args.map((arg) => valueDoc(arg, owner, `f.${builder}()`)),
  };
}

/** `op.addField('library.Book', 'isbn', f.string({ maxLength: 13 }))`. */
function operationDoc(operation: Operation): Doc {
  if (!(operation instanceof MigrationOperation))
    throw new MigrationWriteError(
      `the operation ${operation.describe()} was not built with op, so it cannot be written`,
    );
  const owner = (operation as unknown as { label?: string }).label;
  return {
    kind: 'call',
    callee: `op.${operation.type}`,
    items: operation.args.map((arg) => valueDoc(arg, owner, `op.${operation.type}()`)),
  };
}

function flat(doc: Doc): string {
  if (typeof doc === 'string') return doc;
  switch (doc.kind) {
    case 'property':
      return `${doc.key}: ${flat(doc.value)}`;
    case 'call':
      return `${doc.callee}(${doc.items.map(flat).join(', ')})`;
    case 'array':
      return `[${doc.items.map(flat).join(', ')}]`;
    case 'object':
      return doc.items.length ? `{ ${doc.items.map(flat).join(', ')} }` : '{}';
  }
}

function isGroup(doc: Doc): boolean {
  return typeof doc !== 'string' && (doc.kind === 'object' || doc.kind === 'array');
}

/** Biome (like Prettier) breaks a list of two or more objects or arrays that each hold two or more entries. */
function mustBreak(doc: Doc): boolean {
  if (typeof doc === 'string') return false;
  if (doc.kind === 'object') return doc.expand === true;
  if (doc.kind !== 'array' || doc.items.length < 2) return false;
  const first = doc.items[0]!;
  if (typeof first === 'string' || (first.kind !== 'object' && first.kind !== 'array')) return false;
  return doc.items.every(
    (item) =>
      typeof item !== 'string' &&
      item.kind === first.kind &&
      (item as { items: readonly Doc[] }).items.length > 1,
  );
}

/** `true` when `doc` or anything in it must break (a forced break breaks every group around it). */
function forcedBreak(doc: Doc): boolean {
  if (typeof doc === 'string') return false;
  if (doc.kind === 'property') return forcedBreak(doc.value);
  return mustBreak(doc) || doc.items.some(forcedBreak);
}

/**
 * `doc` printed at `indent`, with `before` columns already used on its first line and
 * `after` columns needed after its last.
 */
function print(doc: Doc, indent: number, before: number, after: number): string {
  if (typeof doc === 'string') return doc;
  if (doc.kind === 'property') {
    const key = `${doc.key}: `;
    return key + print(doc.value, indent, before + key.length, after);
  }
  const text = flat(doc);
  if (!forcedBreak(doc) && !text.includes('\n') && before + text.length + after <= WIDTH) return text;
  const open = doc.kind === 'call' ? `${doc.callee}(` : doc.kind === 'array' ? '[' : '{';
  const close = doc.kind === 'call' ? ')' : doc.kind === 'array' ? ']' : '}';
  if (doc.items.length === 0) return `${open}${close}`;
  if (doc.kind === 'call') {
    // The last argument, an object or array, opens on the call's line (Biome's "hugging").
    const last = doc.items.at(-1)!;
    const rest = doc.items.slice(0, -1);
    if (isGroup(last) && !rest.some(isGroup)) {
      const head = `${open}${rest.map(flat).join(', ')}${rest.length ? ', ' : ''}`;
      if (!head.includes('\n') && before + head.length + 1 <= WIDTH)
        return head + print(last, indent, before + head.length, close.length + after) + close;
    }
  }
  const inner = indent + 2;
  const pad = ' '.repeat(inner);
  const lines = doc.items.map((item) => `${pad}${print(item, inner, inner, 1)},`);
  return `${open}\n${lines.join('\n')}\n${' '.repeat(indent)}${close}`;
}

/** `true` when the code builds a field (so the file imports `f`). */
function usesFields(doc: Doc): boolean {
  if (typeof doc === 'string') return false;
  if (doc.kind === 'property') return usesFields(doc.value);
  if (doc.kind === 'call' && doc.callee.startsWith('f.')) return true;
  return doc.items.some(usesFields);
}

/** What a migration file holds. */
export interface MigrationSource {
  readonly dependencies?: readonly MigrationId[];
  readonly operations: readonly Operation[];
  readonly atomic?: boolean;
}

/**
 * The text of a migration file.
 *
 * @example
 * ```ts
 * writeMigration({
 *   dependencies: ['library/0001_initial'],
 *   operations: [op.addField('library.Book', 'isbn', f.string({ maxLength: 13, default: '' }))],
 * });
 * // import { f, migration, op } from 'voltjs/orm';
 * //
 * // export default migration({
 * //   dependencies: ['library/0001_initial'],
 * //   operations: [op.addField('library.Book', 'isbn', f.string({ maxLength: 13, default: '' }))],
 * // });
 * ```
 */
export function writeMigration(source: MigrationSource): string {
  const operations = source.operations.map(operationDoc);
  const items: Doc[] = [
    {
      kind: 'property',
      key: 'dependencies',
      value: valueDoc([...(source.dependencies ?? [])], undefined, 'dependencies'),
    },
    { kind: 'property', key: 'operations', value: { kind: 'array', items: operations } },
  ];
  if (source.atomic === false) items.push({ kind: 'property', key: 'atomic', value: 'false' });
  const body = print(
    { kind: 'call', callee: 'migration', items: [{ kind: 'object', items, expand: true }] },
    0,
    15,
    1,
  );
  const names = ['migration'];
  if (operations.some(usesFields)) names.unshift('f');
  if (operations.length) names.push('op');
  return `import { ${names.join(', ')} } from 'voltjs/orm';\n\nexport default ${body};\n`;
}

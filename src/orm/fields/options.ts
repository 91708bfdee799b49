/**
 * The options each `f.*()` builder knows, and the check that refuses any other: from plain
 * JavaScript, `f.decimal({ maxDigits: 10 })` would otherwise be ignored and fail later for
 * another reason ("needs digits").
 */
import type { FieldKind } from './field.ts';

const COMMON = [
  'nullable',
  'default',
  'unique',
  'index',
  'choices',
  'label',
  'helpText',
  'editable',
  'writeOnly',
  'dbColumn',
  'primaryKey',
] as const;
const LENGTH = ['maxLength', 'minLength', 'pattern'] as const;
const RANGE = ['min', 'max'] as const;
const WITHOUT_CHOICES = COMMON.filter((o) => o !== 'choices');

/** The options of each kind of field, as its builder takes them. */
export const KNOWN_OPTIONS: Readonly<Record<FieldKind, readonly string[]>> = Object.freeze({
  auto: COMMON,
  string: [...COMMON, ...LENGTH],
  text: [...COMMON, ...LENGTH],
  email: [...COMMON, ...LENGTH],
  url: [...COMMON, ...LENGTH],
  slug: [...COMMON, ...LENGTH],
  uuid: COMMON,
  integer: [...COMMON, ...RANGE],
  bigint: [...COMMON, ...RANGE],
  float: [...COMMON, ...RANGE],
  decimal: [...COMMON, ...RANGE, 'digits', 'places'],
  boolean: COMMON,
  date: COMMON,
  time: COMMON,
  datetime: [...COMMON, 'autoNow', 'autoNowAdd'],
  json: [...COMMON, 'schema'],
  enum: WITHOUT_CHOICES,
  foreignKey: [...WITHOUT_CHOICES, 'onDelete', 'relatedName'],
  oneToOne: [...WITHOUT_CHOICES, 'onDelete', 'relatedName'],
  manyToMany: ['through', 'relatedName', 'symmetrical', 'label', 'helpText'],
});

/** A name as compared for a suggestion: lower case, without `_` or `-` (`max_length` → `maxlength`). */
function folded(name: string): string {
  return name.toLowerCase().replaceAll(/[_-]/gu, '');
}

/** Edits (insert, delete, replace) from `a` to `b`. */
function distance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++)
      row[j] = Math.min(
        previous[j]! + 1,
        row[j - 1]! + 1,
        previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    previous = row;
  }
  return previous[b.length]!;
}

/**
 * The known option an unknown one most likely meant: the same name in another spelling
 * (`max_length`, `MaxLength`), a typo (`nullabel`), Django's name holding ours (`max_digits`,
 * `decimal_places`), or the one option it starts (`null` → `nullable`); else `undefined`.
 *
 * @example
 * ```ts
 * suggestOption('maxDigits', KNOWN_OPTIONS.decimal); // 'digits'
 * ```
 */
export function suggestOption(name: string, known: readonly string[]): string | undefined {
  const word = folded(name);
  const same = known.find((option) => folded(option) === word);
  if (same) return same;
  let best: string | undefined;
  let bestDistance = word.length >= 5 ? 3 : 2;
  for (const option of known) {
    const d = distance(word, folded(option));
    if (d < bestDistance) [best, bestDistance] = [option, d];
  }
  if (best) return best;
  const inside = known.filter((option) => folded(option).length >= 3 && word.includes(folded(option)));
  if (inside.length) return inside.reduce((a, b) => (b.length > a.length ? b : a));
  const started = known.filter((option) => word.length >= 3 && folded(option).startsWith(word));
  return started.length === 1 ? started[0] : undefined;
}

/**
 * What is wrong with the options of a builder, or `undefined`: an option it does not know
 * (named, with the closest known one), or options that are not an object. The field throws it
 * as a `ModelDefinitionError`.
 *
 * @example
 * ```ts
 * optionsProblem('decimal', { maxDigits: 10 }); // "f.decimal() has no option 'maxDigits'; did you mean 'digits'?"
 * ```
 */
export function optionsProblem(kind: FieldKind, options: unknown): string | undefined {
  const builder = kind === 'auto' ? 'the auto primary key' : `f.${kind}()`;
  if (options === undefined) return undefined;
  if (typeof options !== 'object' || options === null || Array.isArray(options))
    return `${builder} takes an object of options, like { nullable: true }, got ${options === null ? 'null' : Array.isArray(options) ? 'an array' : typeof options}`;
  const known = KNOWN_OPTIONS[kind];
  for (const name of Object.keys(options)) {
    if (known.includes(name)) continue;
    const suggestion = suggestOption(name, known);
    return `${builder} has no option '${name}'; ${suggestion ? `did you mean '${suggestion}'?` : `its options are: ${known.join(', ')}`}`;
  }
  return undefined;
}

/**
 * A resource's view of its model's fields: paths across relations (`category__name`), and the
 * values of query parameters read from text as the field's type, checked by the field.
 */
import { Type } from 'typebox';
import { textToBoolean, textToInteger, textToNumber } from '../http/coercion.ts';
import { closest } from '../http/suggestion.ts';
import type { AnyField } from '../orm/fields/field.ts';
import type { RelationField } from '../orm/fields/relation.ts';
import type { AnyModel } from '../orm/model.ts';

/** `resource()` was given options its model does not have. Stable code: `VOLT_CRUD_DEFINITION`. */
export class ResourceDefinitionError extends Error {
  override readonly name = 'ResourceDefinitionError';
  readonly code = 'VOLT_CRUD_DEFINITION';
}

/** ` (did you mean 'x'?)` when a known name is close to `word`, else nothing. */
export function didYouMean(word: string, known: readonly string[]): string {
  const near = closest(word, known);
  return near === undefined ? '' : ` (did you mean '${near}'?)`;
}

/** Where a path across relations ends. */
export interface ResolvedPath {
  /** The field whose values the path compares (a foreign key's own column for `category`). */
  readonly field: AnyField;
  /** The models the path reaches past its own (`category__name` reaches Category). */
  readonly through: readonly AnyModel[];
}

/** A model's relation called `name`: its target model and whether it holds many rows. */
export function relationOf(
  model: AnyModel,
  name: string,
): { target: AnyModel; many: boolean; forward: RelationField | undefined } | undefined {
  const meta = model.meta;
  const forward = meta.concreteFields.find(
    (f) => f.name === name && (f.kind === 'foreignKey' || f.kind === 'oneToOne'),
  ) as RelationField | undefined;
  if (forward) return { target: forward.target, many: false, forward };
  const manyToMany = meta.fields.find((f) => f.name === name && f.kind === 'manyToMany') as
    | RelationField
    | undefined;
  if (manyToMany) return { target: manyToMany.target, many: true, forward: undefined };
  const reverse = meta.reverseRelations.find((r) => r.name === name);
  if (reverse) return { target: reverse.model, many: reverse.many, forward: undefined };
  return undefined;
}

/** The names a path segment may be on `model`: its fields, then its relations. */
function namesOf(model: AnyModel): string[] {
  const meta = model.meta;
  return [
    ...new Set([
      ...meta.concreteFields.map((f) => f.attribute),
      ...meta.concreteFields.map((f) => f.name),
      ...meta.fields.filter((f) => f.kind === 'manyToMany').map((f) => f.name),
      ...meta.reverseRelations.map((r) => r.name),
    ]),
  ];
}

/**
 * Follows `path` (`category__name`, `tags`, `price`) from `model`; throws a definition error
 * naming `option` when a segment is not there.
 */
export function resolvePath(model: AnyModel, path: string, option: string): ResolvedPath {
  const segments = path.split('__');
  let current = model;
  const through: AnyModel[] = [];
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i]!;
    const last = i === segments.length - 1;
    const own = current.meta.concreteFields.find((f) => f.attribute === segment || f.name === segment);
    if (last && own && !(own.kind === 'manyToMany')) return { field: own, through };
    const relation = relationOf(current, segment);
    if (!relation) {
      const known = namesOf(current);
      throw new ResourceDefinitionError(
        `${option}: ${current.meta.label} has no field or relation '${segment}'${didYouMean(segment, known)}; its names are ${known.join(', ')}`,
      );
    }
    current = relation.target;
    through.push(current);
    if (last) return { field: current.meta.pk, through };
  }
  /* c8 ignore next */
  throw new ResourceDefinitionError(`${option}: '${path}' is not a path`);
}

const INTEGER_KINDS = new Set(['auto', 'integer', 'bigint']);

/** The field a value of `field` is compared as: a foreign key's target key. */
function valueField(field: AnyField): AnyField {
  let current = field;
  for (let depth = 0; depth < 5 && (current.kind === 'foreignKey' || current.kind === 'oneToOne'); depth++)
    current = (current as RelationField).target.meta.pk;
  return current;
}

/** The kinds whose query text the request's coercion converts (their schema is the field's). */
const TYPED_KINDS = new Set(['auto', 'integer', 'bigint', 'float', 'boolean', 'enum']);

/**
 * The JSON Schema of one query parameter holding a value of `field` (never null): the field's
 * own for numbers, booleans and choices (converted and checked by the request's validation);
 * text for the others (decimals, dates, strings), read and checked by the field itself, whose
 * messages say what is expected ("a decimal number written as a string, such as 19.90") where a
 * schema would show a pattern.
 */
export function parameterSchema(field: AnyField, description: string): Record<string, unknown> {
  const target = valueField(field);
  if (!TYPED_KINDS.has(target.kind)) {
    const format = (target.valueSchema() as { format?: unknown }).format;
    return {
      type: 'string',
      maxLength: 1000,
      ...(typeof format === 'string' ? { format } : {}),
      description,
    };
  }
  const { title: _title, ...rest } = target.valueSchema() as Record<string, unknown>;
  return { ...rest, description };
}

/** A text parameter: lists (`in`), ranges and words. */
export function textParameter(
  description: string,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return { ...Type.String({ maxLength: 1000 }), ...extra, description };
}

/** The value of `text` as a value of `field`, or the problem with it (a message). */
export function readValue(field: AnyField, text: string): { value: unknown } | { problem: string } {
  const target = valueField(field);
  let value: unknown = text;
  if (INTEGER_KINDS.has(target.kind)) value = textToInteger(text);
  else if (target.kind === 'float') value = textToNumber(text);
  else if (target.kind === 'boolean') value = textToBoolean(text);
  if (typeof value === 'string' && (INTEGER_KINDS.has(target.kind) || target.kind === 'float'))
    return { problem: `'${clip(text)}' is not a ${target.kind === 'float' ? 'number' : 'whole number'}` };
  if (typeof value === 'number' && !Number.isSafeInteger(value) && target.kind !== 'float')
    return { problem: `'${clip(text)}' is out of range` };
  if (target.kind === 'boolean' && typeof value !== 'boolean')
    return { problem: `'${clip(text)}' is not true or false` };
  // The field's own check, for its type and choices: not for its bounds (filtering below a
  // minimum is a fair question) nor its length.
  const issue = target
    .check(value)
    .find(
      (i) =>
        ![
          'greater_than_equal',
          'less_than_equal',
          'string_too_short',
          'string_too_long',
          'string_pattern_mismatch',
        ].includes(i.type),
    );
  if (issue) return { problem: issue.msg };
  return { value };
}

/** At most 40 characters of a value, for messages. */
export function clip(text: string): string {
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}

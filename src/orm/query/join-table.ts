/**
 * Where a many-to-many lives: the auto join table (`autoJoinTable()`), or the `through` model's
 * table and its two foreign keys. Every many-to-many read and write goes through `joinTable()`.
 */

import { autoJoinTable } from '../ddl.ts';
import type { RelationField } from '../fields/relation.ts';
import type { ReverseRelation } from '../meta.ts';
import type { AnyModel } from '../model.ts';
import { QueryError } from './errors.ts';

/** A many-to-many's join table, seen from one side. */
export interface JoinTable {
  readonly table: string;
  /** The column pointing at this side's rows (`book_id` seen from Book). */
  readonly sourceColumn: string;
  /** The column pointing at the other side's rows (`tag_id` seen from Book). */
  readonly targetColumn: string;
  /** This side's model. */
  readonly source: AnyModel;
  /** The other side's model. */
  readonly target: AnyModel;
  /** The `through` model, when the relation declares one. */
  readonly through: AnyModel | undefined;
  /** The `through` model's foreign keys to this side and to the other side. */
  readonly sourceField: RelationField | undefined;
  readonly targetField: RelationField | undefined;
  /** A symmetrical many-to-many (to the model itself): every link is two rows, one each way. */
  readonly symmetrical: boolean;
  /** The many-to-many field, on the model that declares it. */
  readonly field: RelationField;
  /** Seen from the field's target (`bookSet` on Tag): `source` is then the target model. */
  readonly reversed: boolean;
}

function throughKeys(field: RelationField, through: AnyModel): [RelationField, RelationField] {
  const source = field.model!;
  const target = field.target;
  const keys = through.meta.forwardRelations.filter((r) => r.kind !== 'manyToMany');
  const toSource = keys.find((r) => r.target === source);
  const toTarget = keys.find((r) => r.target === target && r !== toSource);
  if (!toSource || !toTarget)
    throw new QueryError(
      `${source.meta.label}.${field.name}: the through model ${through.meta.label} needs a foreign key to ` +
        `${source.meta.label} and one to ${target.meta.label}`,
    );
  return [toSource, toTarget];
}

/**
 * The join table of the many-to-many `field`, seen from its declaring model (`reverse: false`)
 * or from its target (`reverse: true`, the sides swapped).
 *
 * @example
 * ```ts
 * joinTable(Book.meta.relation('tags'));
 * // { table: 'library_book_tags', sourceColumn: 'book_id', targetColumn: 'tag_id', … }
 * ```
 */
export function joinTable(field: RelationField, reverse = false): JoinTable {
  const through = field.through;
  const symmetrical = field.symmetrical;
  let forward: JoinTable;
  if (through) {
    const [sourceField, targetField] = throughKeys(field, through);
    forward = {
      table: through.meta.table,
      sourceColumn: sourceField.column!,
      targetColumn: targetField.column!,
      source: field.model!,
      target: field.target,
      through,
      sourceField,
      targetField,
      symmetrical,
      field,
      reversed: false,
    };
  } else {
    const auto = autoJoinTable(field)!;
    forward = {
      table: auto.table,
      sourceColumn: auto.sourceColumn,
      targetColumn: auto.targetColumn,
      source: field.model!,
      target: field.target,
      through: undefined,
      sourceField: undefined,
      targetField: undefined,
      symmetrical,
      field,
      reversed: false,
    };
  }
  if (!reverse) return forward;
  return {
    ...forward,
    sourceColumn: forward.targetColumn,
    targetColumn: forward.sourceColumn,
    source: forward.target,
    target: forward.source,
    sourceField: forward.targetField,
    targetField: forward.sourceField,
    // A symmetrical relation has no reverse side.
    symmetrical: false,
    reversed: true,
  };
}

/**
 * The many-to-many named `name` on `model`: a declared field (`tags`) or a reverse one
 * (`bookSet` on Tag), with its join table seen from `model`; a `QueryError` listing the valid
 * names otherwise.
 */
export function manyToManyOf(model: AnyModel, name: unknown, where: string): JoinTable {
  const forward = model.meta.forwardRelations.find((r) => r.kind === 'manyToMany' && r.name === name);
  if (forward) return joinTable(forward);
  const reverse = model.meta.reverseRelations.find(
    (r: ReverseRelation) => r.kind === 'manyToMany' && r.name === name,
  );
  if (reverse) return joinTable(reverse.field, true);
  const names = [
    ...model.meta.forwardRelations.filter((r) => r.kind === 'manyToMany').map((r) => r.name),
    ...model.meta.reverseRelations.filter((r) => r.kind === 'manyToMany').map((r) => r.name),
  ];
  throw new QueryError(
    `${where}: ${model.meta.label} has no many-to-many ${JSON.stringify(name)}; ` +
      `its many-to-manys are: ${names.length ? names.join(', ') : '(none)'}`,
  );
}

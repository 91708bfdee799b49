/**
 * The add and change forms: one widget per field, help texts, required markers, errors next
 * to their fields with what the user typed kept, inline child rows, and the three save
 * buttons. A user who may only view a row sees it read-only. A save is one transaction: the
 * row, its many-to-many links, its inline rows and the hooks; anything refused rolls all back.
 * Also the users' set-password form (the hash is never shown).
 */

import { validatePassword } from '../../auth/password-validators.ts';
import { scoped } from '../../auth/policies.ts';
import { HttpError } from '../../http/errors.ts';
import { type Html, html } from '../../http/html.ts';
import type { Database } from '../../orm/database.ts';
import type { AnyField } from '../../orm/fields/field.ts';
import type { RelationField } from '../../orm/fields/relation.ts';
import type { AnyModel } from '../../orm/model.ts';
import { NotFoundError, ValidationError } from '../../orm/query/errors.ts';
import { compareKeys } from '../../orm/query/many-to-many.ts';
import { query } from '../../orm/query/queryset.ts';
import { Change, storeChanges } from '../history.ts';
import type { FormField, InlineGroup, ModelAdmin } from '../model-admin.ts';
import { capitalize, keysOf } from '../request.ts';
import { type AdminRequest, notFound } from '../site.ts';
import {
  type FormValue,
  fromText,
  input,
  isRequired,
  type Option,
  passwordField,
  readOnlyText,
  toText,
} from '../widgets.ts';

/** Most rows a relation's select lists; past it, use `autocomplete`. */
const SELECT_LIMIT = 1000;

type Errors = Map<string, string[]>;

function addError(errors: Errors, name: string, message: string): void {
  errors.set(name, [...(errors.get(name) ?? []), message]);
}

/** The key of a row from the URL, as the primary key takes it. */
export function keyOf(model: AnyModel, text: string): unknown {
  const [key] = keysOf(model, [text]);
  if (key === undefined)
    throw notFound(`There is no ${model.meta.verboseName} with the key “${text.slice(0, 40)}”.`);
  return key;
}

/** The row at `key` that the user may see, with its many-to-many keys; a 404 otherwise. */
export async function rowAt(
  request: AdminRequest,
  admin: ModelAdmin,
  key: string,
  db: Database = request.db,
): Promise<Record<string, any>> {
  const pk = admin.model.meta.pk.attribute;
  try {
    return (await (
      await scoped(request.user, query(db, admin.model))
    ).get({ [pk]: keyOf(admin.model, key) } as never)) as Record<string, any>;
  } catch (error) {
    if (error instanceof NotFoundError)
      throw notFound(
        `${admin.noun} with the key “${key.slice(0, 40)}” doesn’t exist. Perhaps it was deleted?`,
      );
    throw error;
  }
}

/** The keys a row links to through each many-to-many field of the form. */
async function linkedKeys(
  db: Database,
  admin: ModelAdmin,
  row: Record<string, any>,
): Promise<Record<string, unknown[]>> {
  const out: Record<string, unknown[]> = {};
  for (const { field } of admin.formFields) {
    if (field.kind !== 'manyToMany') continue;
    const target = (field as RelationField).target;
    const linked = await query(db, admin.model)
      .related(row as never, field.name as never, target)
      .all();
    out[field.name] = linked.map((r: any) => r[target.meta.pk.attribute]);
  }
  return out;
}

/** The choices of a relation's select (the target's rows the user may see), or the autocomplete's current rows. */
async function relationChoices(
  request: AdminRequest,
  admin: ModelAdmin | undefined,
  field: AnyField,
  value: FormValue,
  cache?: Map<AnyField, Record<string, any>[]>,
): Promise<Pick<Parameters<typeof input>[0], 'options' | 'autocomplete'>> {
  const target = (field as RelationField).target;
  const text = request.site.displayOf(target);
  const pk = target.meta.pk.attribute;
  const set = await scoped(request.user, query(request.db, target));
  if (admin?.autocomplete.has(field.name)) {
    const keys = (Array.isArray(value) ? value : value ? String(value).split(',') : [])
      .map((k) => k.trim())
      .filter(Boolean)
      .slice(0, 100);
    const valid = keysOf(target, keys);
    const rows = valid.length ? await set.filter({ [`${pk}__in`]: valid } as never).all() : [];
    return {
      autocomplete: {
        url: `${request.site.urlOf(admin)}/autocomplete?field=${encodeURIComponent(field.name)}`,
        current: rows.map((row: any) => ({ value: String(row[pk]), label: text(row) })),
      },
    };
  }
  // The rows are read once per field and page (inline rows share them).
  let listedRows = cache?.get(field);
  if (!listedRows) {
    listedRows = (await set.limit(SELECT_LIMIT).all()) as Record<string, any>[];
    cache?.set(field, listedRows);
  }
  const rows = [...listedRows];
  // Past the limit, the rows the field holds now are listed too: a save never drops a link
  // because its row was not among the options.
  if (listedRows.length === SELECT_LIMIT) {
    const listed = new Set(rows.map((row) => String(row[pk])));
    const held = (Array.isArray(value) ? value : value ? [value] : []).filter((key) => !listed.has(key));
    const valid = keysOf(target, held);
    if (valid.length) rows.push(...(await set.filter({ [`${pk}__in`]: valid } as never).all()));
  }
  return { options: rows.map((row): Option => ({ value: String(row[pk]), label: text(row) })) };
}

/** A read-only field: its label, its value as text, its help. */
function readOnlyBlock(field: AnyField, id: string, stored: unknown, zone: string): Html {
  return html`<div class="field field--readonly"><span class="label" id="${id}_label">${field.label}</span>${readOnlyText(field, stored, zone)}${
    field.helpText ? html`<p class="help">${field.helpText}</p>` : ''
  }</div>`;
}

/** The `aria-describedby` of a field's input: its help and its problems, when it has them. */
function describedByOf(field: AnyField, id: string, errors: readonly string[]): string | undefined {
  return (
    [field.helpText ? `${id}_help` : '', errors.length ? `${id}_error` : ''].filter(Boolean).join(' ') ||
    undefined
  );
}

/** An editable field: label (required marker, a datetime's zone), input, help and problems. */
function fieldBlock(
  field: AnyField,
  id: string,
  widget: Html,
  options: { required: boolean; zone: string; errors: readonly string[]; more?: Html | '' },
): Html {
  const { required, zone, errors } = options;
  const label = html`<label for="${id}">${field.label}${required ? html`<span class="required-marker" aria-hidden="true">*</span>` : ''}${
    field.kind === 'datetime' ? html` <span class="muted">(${zone})</span>` : ''
  }</label>`;
  const help = field.helpText ? html`<p class="help" id="${id}_help">${field.helpText}</p>` : '';
  const problem = errors.length ? html`<p class="field-error" id="${id}_error">${errors.join(' ')}</p>` : '';
  const invalid = errors.length ? ' field--error' : '';
  return field.kind === 'boolean' && !field.nullable
    ? html`<div class="field field--checkbox${invalid}">${widget}${label}${help}${problem}</div>`
    : html`<div class="field${invalid}">${label}${widget}${help}${options.more ?? ''}${problem}</div>`;
}

/** One field of the form: label, input (or read-only value), help and errors. */
async function fieldHtml(
  request: AdminRequest,
  admin: ModelAdmin,
  spec: FormField,
  name: string,
  value: FormValue,
  stored: unknown,
  errors: readonly string[],
  editable: boolean,
): Promise<Html> {
  const { field } = spec;
  const id = `id_${name}`;
  if (!editable || spec.readOnly) return readOnlyBlock(field, id, stored, admin.zone());
  const required = isRequired(field);
  const relation = field.kind === 'foreignKey' || field.kind === 'oneToOne' || field.kind === 'manyToMany';
  const choices = relation ? await relationChoices(request, admin, field, value) : {};
  const widget = input({
    field,
    name,
    id,
    value,
    required,
    describedBy: describedByOf(field, id, errors),
    invalid: errors.length > 0,
    ...choices,
  });
  const more =
    choices.autocomplete && !field.helpText
      ? html`<p class="help" id="${id}_keys">Type to search; without JavaScript, enter the key${field.kind === 'manyToMany' ? 's, separated by commas' : ''}.</p>`
      : '';
  return fieldBlock(field, id, widget, { required, zone: admin.zone(), errors, more });
}

/** The text of each field's input: what was posted, else the stored value, else the default. */
function formValues(
  admin: ModelAdmin,
  row: Record<string, any> | undefined,
  posted: Record<string, FormValue> | undefined,
  links: Record<string, unknown[]>,
): Record<string, FormValue> {
  const values: Record<string, FormValue> = {};
  for (const { field } of admin.formFields) {
    if (posted) values[field.name] = posted[field.name];
    else if (row)
      values[field.name] = toText(
        field,
        field.kind === 'manyToMany' ? links[field.name] : row[field.attribute],
        admin.zone(),
      );
    else if (field.hasDefault) values[field.name] = toText(field, field.getDefault(), admin.zone());
    else values[field.name] = field.kind === 'manyToMany' ? [] : '';
  }
  return values;
}

/** Reads the form's writable fields; problems go into `errors` under the field's input name. */
function readFields(
  fields: readonly FormField[],
  posted: Record<string, FormValue>,
  prefix: string,
  errors: Errors,
  zone: string,
) {
  const values: Record<string, unknown> = {};
  const links: Record<string, unknown[]> = {};
  for (const { field, readOnly } of fields) {
    if (readOnly) continue;
    const read = fromText(field, posted[`${prefix}${field.name}`], zone);
    if ('problem' in read) {
      addError(errors, `${prefix}${field.name}`, read.problem);
      continue;
    }
    // The field's own checks now, as the ORM's would: every problem shows at once.
    const issues = field.kind === 'manyToMany' ? [] : field.check(read.value);
    if (issues.length) {
      for (const issue of issues) addError(errors, `${prefix}${field.name}`, issue.msg);
      continue;
    }
    if (field.kind === 'manyToMany') links[field.name] = read.value as unknown[];
    else values[field.attribute] = read.value;
  }
  return { values, links };
}

/** An ORM validation error's problems, put on the inputs they name. */
function placeErrors(
  error: ValidationError,
  fields: readonly FormField[],
  prefix: string,
  errors: Errors,
): void {
  for (const problem of error.errors) {
    const key = problem.loc.find((part) => typeof part === 'string');
    const field = fields.find((f) => f.field.attribute === key || f.field.name === key);
    if (field && !field.readOnly) addError(errors, `${prefix}${field.field.name}`, problem.msg);
    else addError(errors, '__all__', key ? `${key}: ${problem.msg}` : problem.msg);
  }
}

/** One inline group's rows: existing children and blank ones. */
interface InlineState {
  readonly group: InlineGroup;
  readonly rows: {
    key: string | undefined;
    values: Record<string, FormValue>;
    stored: Record<string, any> | undefined;
    remove: boolean;
  }[];
  readonly canAdd: boolean;
  readonly canChange: boolean;
  readonly canDelete: boolean;
}

async function inlineStates(
  request: AdminRequest,
  admin: ModelAdmin,
  parent: Record<string, any> | undefined,
  posted: Record<string, FormValue> | undefined,
): Promise<InlineState[]> {
  const states: InlineState[] = [];
  for (const group of admin.inlines) {
    const [view, canAdd, canChange, canDelete] = await Promise.all([
      request.canView(group.model),
      request.can('add', group.model),
      request.can('change', group.model),
      request.can('delete', group.model),
    ]);
    if (!view) continue;
    const pk = group.model.meta.pk.attribute;
    const children = parent
      ? await (await scoped(request.user, query(request.db, group.model)))
          .filter({ [group.foreignKey.attribute]: parent[admin.model.meta.pk.attribute] } as never)
          .limit(group.max)
          .all()
      : [];
    const rows: InlineState['rows'] = [];
    if (posted) {
      const total = Math.min(Number(posted[`${group.prefix}-TOTAL`]) || 0, group.max);
      for (let i = 0; i < total; i++) {
        const at = `${group.prefix}-${i}-`;
        const key =
          typeof posted[`${at}id`] === 'string' && posted[`${at}id`] !== ''
            ? String(posted[`${at}id`])
            : undefined;
        const stored = key === undefined ? undefined : children.find((c: any) => String(c[pk]) === key);
        const values: Record<string, FormValue> = {};
        for (const { field } of group.fields) values[field.name] = posted[`${at}${field.name}`];
        rows.push({ key, values, stored, remove: posted[`${at}DELETE`] === 'on' });
      }
    } else {
      for (const child of children) {
        const values: Record<string, FormValue> = {};
        for (const { field } of group.fields)
          values[field.name] = toText(field, child[field.attribute], admin.zone());
        rows.push({ key: String(child[pk]), values, stored: child, remove: false });
      }
      if (canAdd)
        for (let i = 0; i < group.extra && rows.length < group.max; i++) {
          const values: Record<string, FormValue> = {};
          for (const { field } of group.fields)
            values[field.name] = field.hasDefault ? toText(field, field.getDefault(), admin.zone()) : '';
          rows.push({ key: undefined, values, stored: undefined, remove: false });
        }
    }
    states.push({ group, rows, canAdd, canChange, canDelete });
  }
  return states;
}

async function inlineHtml(
  request: AdminRequest,
  state: InlineState,
  errors: Errors,
  editable: boolean,
): Promise<Html> {
  const { group } = state;
  const head = group.fields.map(({ field }) => html`<th scope="col">${field.label}</th>`);
  // The relations' rows, read once for every inline row.
  const cache = new Map<AnyField, Record<string, any>[]>();
  for (const { field, readOnly } of group.fields)
    if (!readOnly && (field.kind === 'foreignKey' || field.kind === 'oneToOne'))
      await relationChoices(request, undefined, field, undefined, cache);
  const stacked = group.style === 'stacked';
  const display = request.site.displayOf(group.model);
  const rows = await Promise.all(
    state.rows.map(async (row, i) => {
      const at = `${group.prefix}-${i}-`;
      const rowEditable = editable && (row.key === undefined ? state.canAdd : state.canChange);
      const fields = await Promise.all(
        group.fields.map(async (spec) => {
          const name = `${at}${spec.field.name}`;
          const problems = errors.get(name) ?? [];
          const id = `id_${name}`;
          const stored = row.stored?.[spec.field.attribute];
          if (!rowEditable || spec.readOnly)
            return stacked
              ? readOnlyBlock(spec.field, id, stored, request.site.zone)
              : html`<td>${readOnlyText(spec.field, stored, request.site.zone)}</td>`;
          const relation = ['foreignKey', 'oneToOne'].includes(spec.field.kind);
          const choices = relation
            ? await relationChoices(request, undefined, spec.field, row.values[spec.field.name], cache)
            : {};
          const widget = input({
            field: spec.field,
            name,
            id,
            value: row.values[spec.field.name],
            required: false,
            describedBy: stacked
              ? describedByOf(spec.field, id, problems)
              : problems.length
                ? `${id}_error`
                : undefined,
            invalid: problems.length > 0,
            ...choices,
          });
          if (stacked)
            return fieldBlock(spec.field, id, widget, {
              required: false,
              zone: request.site.zone,
              errors: problems,
            });
          const problem = problems.length
            ? html`<p class="field-error" id="${id}_error">${problems.join(' ')}</p>`
            : '';
          return html`<td class="${problems.length ? 'field--error' : ''}"><label class="visually-hidden" for="${id}">${spec.field.label}, row ${i + 1}</label>${widget}${problem}</td>`;
        }),
      );
      // The row's key rides with its last cell (a form's only place in a table row).
      const id = row.key !== undefined ? html`<input type="hidden" name="${at}id" value="${row.key}">` : '';
      const deletable = editable && row.key !== undefined && state.canDelete;
      const checked = row.remove ? html` checked` : '';
      if (stacked) {
        const noun = capitalize(group.model.meta.verboseName);
        const legend = row.stored ? `${noun}: ${display(row.stored)}` : `${noun} #${i + 1}`;
        return html`<fieldset class="inline-related"><legend>${legend}</legend>${id}${fields}${
          deletable
            ? html`<div class="field field--checkbox"><input type="checkbox" id="id_${at}DELETE" name="${at}DELETE"${checked}><label for="id_${at}DELETE">Delete</label></div>`
            : ''
        }</fieldset>`;
      }
      const remove = deletable
        ? html`<td>${id}<input type="checkbox" id="id_${at}DELETE" name="${at}DELETE"${checked}><label class="visually-hidden" for="id_${at}DELETE">Delete row ${i + 1}</label></td>`
        : html`<td>${id}</td>`;
      return html`<tr>${fields}${editable ? remove : ''}</tr>`;
    }),
  );
  const rowErrors = errors.get(`${group.prefix}-__all__`) ?? [];
  const total = html`<input type="hidden" name="${group.prefix}-TOTAL" value="${state.rows.length}">`;
  const problems = rowErrors.length ? html`<p class="field-error">${rowErrors.join(' ')}</p>` : '';
  if (stacked)
    return html`<fieldset class="inline-group inline-group--stacked"><legend>${group.title}</legend>${problems}${total}${rows}</fieldset>`;
  return html`<fieldset class="inline-group"><legend>${group.title}</legend>${problems}${total}<div class="table-wrap" role="region" aria-label="${group.title}" tabindex="0"><table class="inline-table"><thead><tr>${head}${
    editable ? html`<th scope="col">Delete?</th>` : ''
  }</tr></thead><tbody>${rows}</tbody></table></div></fieldset>`;
}

/** Writes the inline rows of a saved parent, in its transaction. */
async function saveInlines(
  tx: Database,
  admin: ModelAdmin,
  parent: Record<string, any>,
  states: readonly InlineState[],
  errors: Errors,
): Promise<void> {
  for (const state of states) {
    const { group } = state;
    const pk = group.model.meta.pk.attribute;
    for (const [i, row] of state.rows.entries()) {
      const prefix = `${group.prefix}-${i}-`;
      if (row.key !== undefined && !row.stored) {
        addError(
          errors,
          `${group.prefix}-__all__`,
          `Row ${i + 1} is not one of this ${admin.model.meta.verboseName}’s.`,
        );
        continue;
      }
      if (row.remove && row.stored) {
        if (!state.canDelete) continue;
        await query(tx, group.model)
          .filter({ [pk]: row.stored[pk] } as never)
          .deleteOne();
        continue;
      }
      const blank =
        row.key === undefined &&
        group.fields.every(({ field }) => {
          const value = row.values[field.name];
          return (
            value === undefined ||
            value === '' ||
            (field.hasDefault && value === toText(field, field.getDefault(), admin.zone()))
          );
        });
      if (blank) continue;
      if (row.key === undefined ? !state.canAdd : !state.canChange) continue;
      const posted: Record<string, FormValue> = {};
      for (const [name, value] of Object.entries(row.values)) posted[`${prefix}${name}`] = value;
      const { values } = readFields(group.fields, posted, prefix, errors, admin.zone());
      if (group.fields.some(({ field }) => errors.has(`${prefix}${field.name}`))) continue;
      try {
        await tx.transaction(async (savepoint) => {
          if (row.stored)
            await query(savepoint, group.model)
              .filter({ [pk]: row.stored[pk] } as never)
              .updateOne(values as never);
          else
            await query(savepoint, group.model).create({
              ...values,
              [group.foreignKey.attribute]: parent[admin.model.meta.pk.attribute],
            } as never);
        });
      } catch (error) {
        if (!(error instanceof ValidationError)) throw error;
        placeErrors(error, group.fields, prefix, errors);
      }
    }
  }
}

/** The first error's anchor list, at the top of the form. */
function errorSummary(errors: Errors): Html {
  if (errors.size === 0) return html``;
  const items = [...errors.entries()].map(([name, messages]) =>
    name === '__all__' || name.endsWith('-__all__')
      ? html`<li>${messages.join(' ')}</li>`
      : html`<li><a href="#id_${name}">${messages.join(' ')}</a></li>`,
  );
  return html`<div class="error-summary" role="alert" tabindex="-1" id="error-summary"><h2>Please correct the ${errors.size === 1 ? 'error' : 'errors'} below.</h2><ul>${items}</ul></div>`;
}

/** Values of fields the model marks not editable that this admin writes (users' flags). */
async function saveExtraFields(
  tx: Database,
  admin: ModelAdmin,
  key: unknown,
  values: Record<string, unknown>,
  prefix: string,
): Promise<void> {
  const meta = admin.model.meta;
  const extra = (admin.options.editable ?? []).filter(
    (name) => name in values || meta.field(name).attribute in values,
  );
  if (extra.length === 0) return;
  const before = (await query(tx, admin.model).get({ [meta.pk.attribute]: key } as never)) as Record<
    string,
    any
  >;
  const columns: Record<string, unknown> = {};
  for (const name of extra) {
    const field = meta.field(name);
    const issues = field.check(values[field.attribute]);
    if (issues.length) throw new ValidationError(issues.map((i) => ({ loc: [field.attribute], ...i })));
    columns[field.column!] = field.toDb(values[field.attribute] as never, tx.ops);
  }
  await tx.kysely
    .updateTable(meta.table)
    .set(columns)
    .where(meta.pk.column!, '=', meta.pk.toDb(key as never, tx.ops) as never)
    .execute();
  const after = { ...before };
  for (const name of extra) after[meta.field(name).attribute] = values[meta.field(name).attribute];
  if (admin.history)
    await storeChanges(
      tx,
      admin.model,
      [{ action: 'update', model: admin.model, key, before, after }],
      prefix,
      admin.display,
    );
}

/** The add form (`key` undefined) or the change form of one row. */
export async function changeForm(
  request: AdminRequest,
  admin: ModelAdmin,
  key: string | undefined,
): Promise<Html | undefined> {
  const { site } = request;
  const model = admin.model;
  const meta = model.meta;
  const adding = key === undefined;
  let row: Record<string, any> | undefined;
  let editable: boolean;
  if (adding) {
    await request.require('add', model);
    editable = true;
  } else {
    row = await rowAt(request, admin, key);
    editable = await request.can('change', model, row);
    if (!editable) await request.require('view', model, row);
  }
  const links = row ? await linkedKeys(request.db, admin, row) : {};
  const posting = request.ctx.request.method === 'POST';
  if (posting && !editable)
    throw new HttpError(403, {
      code: 'VOLT_ADMIN_PERMISSION_DENIED',
      detail: `You may not change this ${meta.verboseName}.`,
    });
  const posted = posting ? (request.form as Record<string, FormValue>) : undefined;
  const errors: Errors = new Map();
  const inlines = await inlineStates(request, admin, row, posted);

  if (posted) {
    const { values, links: newLinks } = readFields(admin.formFields, posted, '', errors, admin.zone());
    if (errors.size === 0) {
      const editableExtra = new Set(admin.options.editable ?? []);
      const ormValues = Object.fromEntries(
        Object.entries(values).filter(
          ([attribute]) =>
            !admin.formFields.some((f) => f.field.attribute === attribute && editableExtra.has(f.field.name)),
        ),
      );
      const extraValues = Object.fromEntries(
        Object.entries(values).filter(([attribute]) => !(attribute in ormValues)),
      );
      try {
        const saved = await request.db.transaction(async (tx) => {
          const args = { values: ormValues, before: row, tx, user: request.user };
          await admin.options.beforeSave?.(args);
          const pk = meta.pk.attribute;
          let result: Record<string, any>;
          if (adding) result = (await query(tx, model).create(ormValues as never)) as Record<string, any>;
          else if (Object.keys(ormValues).length)
            result = (await query(tx, model)
              .filter({ [pk]: row![pk] } as never)
              .updateOne(ormValues as never)) as Record<string, any>;
          else result = row!;
          await saveExtraFields(tx, admin, result[pk], extraValues, site.prefix);
          const linksAfter: Record<string, unknown[]> = {};
          for (const [name, keys] of Object.entries(newLinks)) {
            const target = (meta.field(name) as RelationField).target;
            const old = [...(links[name] ?? [])].sort(compareKeys);
            const next = [...keys].sort(compareKeys);
            if (JSON.stringify(old) === JSON.stringify(next)) continue;
            await query(tx, model)
              .related(result as never, name as never, target)
              .set(keys as never);
            linksAfter[name] = next;
          }
          // The history records the links' changes as updates of the row (the ORM reports them);
          // a row just added keeps one entry: its links are folded into the create.
          if (admin.history && adding && Object.keys(linksAfter).length) {
            const entries = await query(tx, Change)
              .filter({ model: meta.label, objectKey: String(result[pk]) })
              .orderBy('id')
              .all();
            const created = entries.find((entry) => entry.action === 'create');
            const links = entries.filter(
              (entry) =>
                created &&
                entry.action === 'update' &&
                entry.id > created.id &&
                Object.keys(entry.changes as object).every((name) => name in linksAfter),
            );
            if (created && links.length) {
              const changes = { ...(created.changes as Record<string, unknown>) };
              for (const [name, keys] of Object.entries(linksAfter)) changes[name] = { new: keys };
              await query(tx, Change).filter({ id: created.id }).update({ changes });
              await query(tx, Change)
                .filter({ id__in: links.map((entry) => entry.id) })
                .delete();
            }
          }
          // The row must stay one the user may see (the policy's scope) and change.
          const kept = await (await scoped(request.user, query(tx, model)))
            .filter({ [pk]: result[pk] } as never)
            .first();
          if (!kept || !(await request.can(adding ? 'add' : 'change', model, kept)))
            throw new HttpError(403, {
              code: 'VOLT_ADMIN_OUT_OF_SCOPE',
              detail: `This ${meta.verboseName} would be one you may not ${adding ? 'add' : 'change'}; nothing was saved.`,
            });
          await saveInlines(tx, admin, result, inlines, errors);
          if (errors.size) throw new ValidationError([]);
          await admin.options.afterSave?.({ ...args, row: kept });
          return kept as Record<string, any>;
        });
        const text = admin.display(saved);
        const savedKey = saved[meta.pk.attribute];
        const button =
          posted._continue !== undefined ? 'continue' : posted._addanother !== undefined ? 'another' : 'save';
        await request.flash(
          'success',
          `The ${meta.verboseName} “${text}” was ${adding ? 'added' : 'changed'} successfully.${
            button === 'continue'
              ? ' You may edit it again below.'
              : button === 'another'
                ? ` You may add another ${meta.verboseName} below.`
                : ''
          }`,
        );
        return request.redirect(
          button === 'continue'
            ? site.rowUrl(admin, savedKey)
            : button === 'another'
              ? `${site.urlOf(admin)}/add`
              : site.urlOf(admin),
        );
      } catch (error) {
        if (error instanceof ValidationError) placeErrors(error, admin.formFields, '', errors);
        else if (error instanceof HttpError && error.status === 403)
          addError(errors, '__all__', error.detail ?? error.message);
        else throw error;
        if (errors.size === 0) addError(errors, '__all__', 'The form could not be saved.');
      }
    }
    request.ctx.status(400);
  }

  const values = formValues(admin, row, posted, links);
  const sections = await Promise.all(
    admin.sections.map(async (section) => {
      const fields = await Promise.all(
        section.fields.map((spec) =>
          fieldHtml(
            request,
            admin,
            spec,
            spec.field.name,
            values[spec.field.name],
            spec.field.kind === 'manyToMany' ? undefined : row?.[spec.field.attribute],
            errors.get(spec.field.name) ?? [],
            editable,
          ),
        ),
      );
      const inner = html`${section.description ? html`<p class="fieldset__description">${section.description}</p>` : ''}${fields}`;
      if (section.collapsed)
        return html`<fieldset class="fieldset fieldset--collapsed"><legend class="visually-hidden">${section.title ?? 'More'}</legend><details class="fieldset-details"${errors.size ? html` open` : ''}><summary>${section.title ?? 'More'}</summary>${inner}</details></fieldset>`;
      return section.title
        ? html`<fieldset class="fieldset"><legend>${section.title}</legend>${inner}</fieldset>`
        : html`<div class="fieldset">${inner}</div>`;
    }),
  );
  const inlineParts = await Promise.all(inlines.map((state) => inlineHtml(request, state, errors, editable)));
  const canDelete = row ? await request.can('delete', model, row) : false;
  const isUser = model === site.auth.userModel;
  const title = adding ? `Add ${meta.verboseName}` : `${editable ? 'Change' : 'View'} ${meta.verboseName}`;
  const tools = row
    ? html`${isUser && editable ? html`<a class="button button--secondary" href="${site.rowUrl(admin, key, 'password')}">Set password</a> ` : ''}<a class="button button--secondary" href="${site.rowUrl(admin, key, 'history')}">History</a>`
    : undefined;
  const submit = editable
    ? html`<div class="submit-row">${
        canDelete
          ? html`<a class="button button--danger submit-row__delete" href="${site.rowUrl(admin, key, 'delete')}">Delete</a>`
          : ''
      }<button type="submit" class="button button--primary" name="_save" value="1">Save</button><button type="submit" class="button button--secondary" name="_continue" value="1">Save and continue editing</button><button type="submit" class="button button--secondary" name="_addanother" value="1">Save and add another</button></div>`
    : html`<div class="submit-row"><a class="button" href="${site.urlOf(admin)}">Close</a></div>`;
  return request.page({
    title,
    breadcrumbs: [
      ['Home', `${site.prefix}/`],
      [admin.title, site.urlOf(admin)],
      [adding ? `Add ${meta.verboseName}` : admin.display(row!)],
    ],
    actions: tools,
    body: html`${row ? html`<p class="object-name">${admin.display(row)}</p>` : ''}${
      editable
        ? html`<form method="post" class="model-form" novalidate>${await request.csrf()}${errorSummary(errors)}${sections}${inlineParts}${submit}</form>`
        : html`<div class="model-form model-form--readonly">${sections}${inlineParts}${submit}</div>`
    }`,
  });
}

/**
 * Sets the password of the user `row` and records the change in the history (as changed,
 * never its hash), in one transaction: the hash is written without the ORM's observed writes.
 */
export async function setPasswordRecorded(
  request: AdminRequest,
  row: Record<string, any>,
  password: string,
): Promise<string> {
  const { site } = request;
  const users = site.registered(site.auth.userModel);
  return request.db.transaction(async (tx) => {
    const hash = await site.auth.setPassword(tx, row, password);
    if (users?.history)
      await storeChanges(
        tx,
        users.model,
        [
          {
            action: 'update',
            model: users.model,
            key: row[users.model.meta.pk.attribute],
            before: row,
            after: { ...row, password: hash },
          },
        ],
        site.prefix,
        users.display,
      );
    return hash;
  });
}

/** The set-password form of a user (never showing the hash). */
export async function passwordForm(
  request: AdminRequest,
  admin: ModelAdmin,
  key: string,
): Promise<Html | undefined> {
  const { site } = request;
  if (admin.model !== site.auth.userModel) throw notFound();
  const row = await rowAt(request, admin, key);
  await request.require('change', admin.model, row);
  const errors: Errors = new Map();
  if (request.ctx.request.method === 'POST') {
    const form = request.form;
    const first = typeof form.password1 === 'string' ? form.password1 : '';
    const second = typeof form.password2 === 'string' ? form.password2 : '';
    if (!first) addError(errors, 'password1', 'This field is required.');
    else for (const problem of validatePassword(first, { user: row })) addError(errors, 'password1', problem);
    if (first !== second) addError(errors, 'password2', 'The two password fields didn’t match.');
    if (errors.size === 0) {
      const hash = await setPasswordRecorded(request, row, first);
      // Setting one's own password here keeps this session (the change ended the others).
      if (String(row[admin.model.meta.pk.attribute]) === String(request.user.id))
        await site.auth.sessions.rotate(
          request.ctx.request,
          request.ctx.reply,
          String(request.user.id),
          site.auth.sessions.loginData(hash),
        );
      await request.flash('success', 'Password changed successfully.');
      return request.redirect(site.rowUrl(admin, key));
    }
    request.ctx.status(400);
  }
  const field = (name: string, label: string, help?: string) =>
    passwordField(name, label, { autocomplete: 'new-password', help, problems: errors.get(name) });
  const text = admin.display(row);
  return request.page({
    title: `Set the password of ${text}`,
    breadcrumbs: [
      ['Home', `${site.prefix}/`],
      [admin.title, site.urlOf(admin)],
      [text, site.rowUrl(admin, key)],
      ['Set password'],
    ],
    body: html`<form method="post" class="model-form">${await request.csrf()}${errorSummary(errors)}<p>Enter a new password for the user <strong>${text}</strong>. Their sessions end.</p>${field(
      'password1',
      'Password',
      'At least 8 characters, not only digits, not a common password, not like the username.',
    )}${field('password2', 'Password confirmation', 'Enter the same password as before, for verification.')}<div class="submit-row"><button type="submit" class="button button--primary">Change password</button></div></form>`,
  });
}

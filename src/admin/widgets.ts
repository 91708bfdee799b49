/**
 * One widget per field kind, as PocketBase shapes them: how a value is shown in a change-list
 * cell, how it is written into a form input (text, textarea, number, decimal, checkbox,
 * date/datetime/time, choices, email/url, JSON, relation select or search box, multi-select),
 * and how the form's text comes back as a value the field checks. Datetimes are shown and read
 * in UTC (the label says so).
 */
import { textToInteger, textToNumber } from '../http/coercion.ts';
import { escapeHtml, type Html, html } from '../http/html.ts';
import type { AnyField } from '../orm/fields/field.ts';
import type { RelationField } from '../orm/fields/relation.ts';
import { fromZoned, zonedInput, zonedText } from './time-zone.ts';

/** A form value as the browser sent it (repeated keys are lists). */
export type FormValue = string | string[] | undefined;

/** A related row offered by a relation's select. */
export interface Option {
  readonly value: string;
  readonly label: string;
}

/** How one input is drawn. */
export interface InputSpec {
  readonly field: AnyField;
  /** The input's name (the field's name, or an inline row's prefixed name). */
  readonly name: string;
  readonly id: string;
  /** The text in the input (what the user typed, or the stored value as text). */
  readonly value: FormValue;
  readonly required: boolean;
  readonly describedBy: string | undefined;
  readonly invalid: boolean;
  /** The rows a relation may point at (a select), when there are few. */
  readonly options?: readonly Option[];
  /** A relation edited with a search box: the autocomplete URL and the current rows' text. */
  readonly autocomplete?: { readonly url: string; readonly current: readonly Option[] };
}

const TEXT_TYPES: Record<string, string> = { email: 'email', url: 'url' };

/** Whether a form must give the field a value (Django's required fields). */
export function isRequired(field: AnyField): boolean {
  if (field.kind === 'boolean' || field.kind === 'manyToMany') return false;
  return !field.nullable && !field.hasDefault;
}

/** A stored value as the text of its input (a datetime as the wall-clock time in `zone`). */
export function toText(field: AnyField, value: unknown, zone = 'UTC'): FormValue {
  if (value === null || value === undefined) return '';
  if (field.kind === 'manyToMany') return Array.isArray(value) ? value.map((v) => String(v)) : [];
  if (field.kind === 'datetime') {
    const date = value instanceof Date ? value : new Date(String(value));
    return Number.isNaN(date.getTime()) ? String(value) : zonedInput(date, zone);
  }
  if (field.kind === 'json') return JSON.stringify(value, null, 2);
  if (field.kind === 'boolean') return value === true ? 'true' : value === false ? 'false' : '';
  return String(value);
}

/** The key field a relation's values are compared as. */
function keyField(field: AnyField): AnyField {
  return field.kind === 'foreignKey' || field.kind === 'oneToOne' || field.kind === 'manyToMany'
    ? (field as RelationField).target.meta.pk
    : field;
}

/** One key of a relation, from text: a number for integer keys. */
function keyValue(field: AnyField, text: string): { value: unknown } | { problem: string } {
  const key = keyField(field);
  if (key.kind === 'auto' || key.kind === 'integer' || key.kind === 'bigint') {
    const value = textToInteger(text);
    return typeof value === 'number'
      ? { value }
      : { problem: `'${clip(text)}' is not a valid key (a whole number)` };
  }
  const issue = key.check(text)[0];
  return issue ? { problem: issue.msg } : { value: text };
}

function clip(text: string): string {
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}

const REQUIRED = 'This field is required.';
const STRING_KINDS = new Set(['string', 'text', 'email', 'url', 'slug']);

/**
 * The value of a form's text for `field`, or the problem with it. Empty text is `null` for a
 * nullable field, the field's default when it has one, and "required" otherwise; the ORM's own
 * check of the value runs when the row is written.
 */
export function fromText(
  field: AnyField,
  given: FormValue,
  zone = 'UTC',
): { value: unknown } | { problem: string } {
  if (field.kind === 'manyToMany') {
    const items = (Array.isArray(given) ? given : given === undefined ? [] : [given])
      .flatMap((item) => item.split(','))
      .map((item) => item.trim())
      .filter(Boolean);
    const keys: unknown[] = [];
    for (const item of items) {
      const read = keyValue(field, item);
      if ('problem' in read) return read;
      if (!keys.includes(read.value)) keys.push(read.value);
    }
    return { value: keys };
  }
  if (Array.isArray(given)) given = given.at(-1);
  if (field.kind === 'boolean' && !field.nullable) return { value: given === 'on' || given === 'true' };
  const text = field.kind === 'text' || field.kind === 'json' ? (given ?? '') : (given ?? '').trim();
  if (text === '') {
    if (field.kind === 'boolean' || field.nullable) return { value: null };
    if (!field.hasDefault) return { problem: REQUIRED };
    if (STRING_KINDS.has(field.kind) && !field.choices?.length) return { value: '' };
    return { value: field.getDefault() };
  }
  switch (field.kind) {
    case 'boolean':
      return text === 'true'
        ? { value: true }
        : text === 'false'
          ? { value: false }
          : { problem: 'Choose yes, no or unknown.' };
    case 'integer':
    case 'bigint':
    case 'auto': {
      const value = textToInteger(text);
      return typeof value === 'number' ? { value } : { problem: 'Enter a whole number.' };
    }
    case 'float': {
      const value = textToNumber(text);
      return typeof value === 'number' ? { value } : { problem: 'Enter a number.' };
    }
    case 'datetime':
      return fromZoned(text, zone);
    case 'json':
      try {
        return { value: JSON.parse(text) };
      } catch {
        return { problem: 'Enter valid JSON.' };
      }
    case 'foreignKey':
    case 'oneToOne':
      return keyValue(field, text);
    default:
      if (field.choices?.length && typeof field.choices[0]!.value === 'number') {
        const value = textToNumber(text);
        return typeof value === 'number' ? { value } : { problem: 'Choose one of the choices.' };
      }
      return { value: text };
  }
}

function attributes(spec: InputSpec): Html {
  return html` id="${spec.id}" name="${spec.name}"${spec.required ? html` required aria-required="true"` : ''}${
    spec.describedBy ? html` aria-describedby="${spec.describedBy}"` : ''
  }${spec.invalid ? html` aria-invalid="true"` : ''}`;
}

function single(value: FormValue): string {
  return Array.isArray(value) ? (value.at(-1) ?? '') : (value ?? '');
}

/** The input of one field. */
export function input(spec: InputSpec): Html {
  const { field } = spec;
  const value = single(spec.value);
  const attrs = attributes(spec);
  if (spec.autocomplete) {
    const multiple = field.kind === 'manyToMany';
    const keys = Array.isArray(spec.value) ? spec.value.join(',') : value;
    return html`<div class="autocomplete" data-autocomplete-url="${spec.autocomplete.url}" data-multiple="${multiple ? 'true' : 'false'}"><input type="text" class="autocomplete__key"${attrs} value="${keys}" autocomplete="off" spellcheck="false"><span class="autocomplete__current">${spec.autocomplete.current
      .map((o) => o.label)
      .join(', ')}</span>${spec.autocomplete.current.map(
      (o) => html`<data class="autocomplete__choice" value="${o.value}">${o.label}</data>`,
    )}</div>`;
  }
  if (field.kind === 'manyToMany') {
    const chosen = new Set(Array.isArray(spec.value) ? spec.value : spec.value ? [spec.value] : []);
    return html`<select multiple size="${Math.min(10, Math.max(4, spec.options?.length ?? 0))}"${attrs}>${(
      spec.options ?? []
    ).map(
      (o) =>
        html`<option value="${o.value}"${chosen.has(o.value) ? html` selected` : ''}>${o.label}</option>`,
    )}</select>`;
  }
  if (field.kind === 'foreignKey' || field.kind === 'oneToOne')
    return selectOf(spec, attrs, value, spec.options ?? []);
  if (field.choices?.length)
    return selectOf(
      spec,
      attrs,
      value,
      field.choices.map((c) => ({ value: String(c.value), label: c.label })),
    );
  switch (field.kind) {
    case 'boolean':
      if (field.nullable)
        return selectOf(spec, attrs, value, [
          { value: 'true', label: 'Yes' },
          { value: 'false', label: 'No' },
        ]);
      return html`<input type="checkbox"${attrs}${value === 'true' || value === 'on' ? html` checked` : ''}>`;
    case 'text':
      return html`<textarea rows="6"${attrs}${field.maxLength ? html` maxlength="${field.maxLength}"` : ''}>${value}</textarea>`;
    case 'json':
      return html`<textarea class="json-input" rows="8" spellcheck="false"${attrs}>${value}</textarea>`;
    case 'integer':
    case 'bigint':
    case 'auto':
      return html`<input type="number" step="1"${attrs} value="${value}"${bounds(field)}>`;
    case 'float':
      return html`<input type="number" step="any"${attrs} value="${value}"${bounds(field)}>`;
    case 'decimal':
      return html`<input type="text" inputmode="decimal"${attrs} value="${value}">`;
    case 'date':
      return html`<input type="date"${attrs} value="${value}">`;
    case 'datetime':
      return html`<input type="datetime-local" step="1"${attrs} value="${value}">`;
    case 'time':
      return html`<input type="time" step="1"${attrs} value="${value}">`;
    default: {
      const type = TEXT_TYPES[field.kind] ?? 'text';
      return html`<input type="${type}"${attrs} value="${value}"${field.maxLength ? html` maxlength="${field.maxLength}"` : ''}${
        field.kind === 'uuid' || field.kind === 'slug' ? html` spellcheck="false"` : ''
      }>`;
    }
  }
}

function bounds(field: AnyField): Html {
  return html`${field.min !== undefined ? html` min="${field.min}"` : ''}${field.max !== undefined ? html` max="${field.max}"` : ''}`;
}

function selectOf(spec: InputSpec, attrs: Html, value: string, options: readonly Option[]): Html {
  const blank = !spec.required || value === '';
  return html`<select${attrs}>${blank ? html`<option value="">${spec.required ? 'Choose…' : '—'}</option>` : ''}${options.map(
    (o) => html`<option value="${o.value}"${o.value === value ? html` selected` : ''}>${o.label}</option>`,
  )}</select>`;
}

/** A value as read-only text (the view-only form, read-only fields, history). */
export function readOnlyText(field: AnyField | undefined, value: unknown, zone = 'UTC'): Html {
  if (value === null || value === undefined || value === '') return html`<span class="muted">—</span>`;
  if (field?.kind === 'json')
    return html`<pre class="readonly-value">${JSON.stringify(value, null, 2)}</pre>`;
  return html`<span class="readonly-value">${plainText(field, value, zone)}</span>`;
}

/** A value as text: a choice's label, yes/no, a datetime in `zone` (with the zone's name). */
export function plainText(field: AnyField | undefined, value: unknown, zone = 'UTC'): string {
  if (value === null || value === undefined) return '';
  if (field?.choices?.length) {
    const choice = field.choices.find((c) => c.value === value);
    if (choice) return choice.label;
  }
  if (typeof value === 'boolean') return value ? 'Yes' : 'No';
  if (value instanceof Date) return zonedText(value, zone);
  if (Array.isArray(value) || typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

const EMPTY =
  '<span class="muted"><span aria-hidden="true">—</span><span class="visually-hidden">empty</span></span>';
const YES = '<span class="bool bool--yes">Yes</span>';
const NO = '<span class="bool bool--no">No</span>';
const NUMERIC_KINDS = new Set(['integer', 'bigint', 'auto', 'float', 'decimal']);

/** A cell's markup and its class (`cell--number`, `cell--boolean`, `cell--empty` or none). */
export type CellMarkup = readonly [markup: string, className: string];

/**
 * The renderer of a change-list column's cells: made once per column, then called for every
 * row with the cell's value (markup built as text, every value escaped).
 */
export function cellRenderer(
  field: AnyField | undefined,
  zone: () => string = () => 'UTC',
): (value: unknown) => CellMarkup {
  const numeric =
    field !== undefined &&
    !field.choices?.length &&
    NUMERIC_KINDS.has(field.kind) &&
    !(field.primaryKey && field.kind !== 'auto');
  const numberClass = numeric ? 'cell--number' : '';
  const labels = field?.choices?.length
    ? new Map(field.choices.map((c) => [c.value as unknown, escapeHtml(c.label)]))
    : undefined;
  const boolean = field?.kind === 'boolean';
  return (value) => {
    if (value === null || value === undefined || value === '') return [EMPTY, 'cell--empty'];
    if (boolean || typeof value === 'boolean') return [value === true ? YES : NO, 'cell--boolean'];
    const label = labels?.get(value);
    if (label !== undefined) return [label, ''];
    return [escapeHtml(typeof value === 'string' ? value : plainText(field, value, zone())), numberClass];
  };
}

/** A password input with its label, required marker, help and problems (never a value). */
export function passwordField(
  name: string,
  label: string,
  options: { autocomplete: string; help?: string | undefined; problems?: readonly string[] | undefined },
): Html {
  const problems = options.problems ?? [];
  const id = `id_${name}`;
  const described = [options.help ? `${id}_help` : '', problems.length ? `${id}_error` : '']
    .filter(Boolean)
    .join(' ');
  return html`<div class="field${problems.length ? ' field--error' : ''}"><label for="${id}">${label}<span class="required-marker" aria-hidden="true">*</span></label><input type="password" id="${id}" name="${name}" autocomplete="${options.autocomplete}" maxlength="4096" required aria-required="true"${
    described ? html` aria-describedby="${described}"` : ''
  }${problems.length ? html` aria-invalid="true"` : ''}>${options.help ? html`<p class="help" id="${id}_help">${options.help}</p>` : ''}${
    problems.length ? html`<p class="field-error" id="${id}_error">${problems.join(' ')}</p>` : ''
  }</div>`;
}

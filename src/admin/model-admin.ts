/**
 * A registered model: its `register()` options checked against the model and turned into
 * what the pages use (columns, filters, search paths, form fields, inlines), once, when the
 * model is registered. A name the model does not have stops the start, naming the closest one.
 */
import { ResourceDefinitionError, resolvePath } from '../crud/fields.ts';
import type { AnyField } from '../orm/fields/field.ts';
import type { RelationField } from '../orm/fields/relation.ts';
import type { AnyModel } from '../orm/model.ts';
import { isWritable } from '../orm/model-schemas.ts';
import type {
  AdminAction,
  ComputedColumn,
  CustomFilter,
  Fieldset,
  Inline,
  ModelAdminOptions,
} from './options.ts';
import { AdminDefinitionError, capitalize, defaultDisplay, suggest } from './request.ts';
import { type CellMarkup, cellRenderer } from './widgets.ts';

const TEXT_KINDS = new Set(['string', 'text', 'email', 'url', 'slug', 'uuid', 'enum']);
const NUMBER_KINDS = new Set(['auto', 'integer', 'bigint', 'float', 'decimal']);
const RELATION_KINDS = new Set(['foreignKey', 'oneToOne']);

/** One column of the change list. */
export interface Column {
  /** Its name in `?o=` and the saved settings: the path, or `computed:<label>`. */
  readonly name: string;
  readonly label: string;
  /** The field the cell shows (a path's last field); none for a computed column. */
  readonly field: AnyField | undefined;
  /** The path to sort by, if the column sorts. */
  readonly sort: string | undefined;
  /** The cell's value, from a row loaded with the columns' `selectRelated` paths. */
  readonly value: (row: Record<string, any>) => unknown;
  /** A related row's text for a foreign-key column, else undefined. */
  readonly related: AnyModel | undefined;
  /** The cell links to the row's page. */
  readonly link: boolean;
  /** Django's class of the column's cells (`field-title`): a hook for styles and tests. */
  readonly className: string;
  /** The markup of a cell of this column, from its value. */
  readonly render: (value: unknown) => CellMarkup;
}

/** One filter of the sidebar. */
export interface Filter {
  readonly title: string;
  /** The query parameters it reads (only these reach the ORM). */
  readonly parameters: readonly string[];
  readonly kind: 'boolean' | 'choices' | 'relation' | 'date' | 'custom';
  /** The path it filters (not for custom ones). */
  readonly path: string | undefined;
  readonly field: AnyField | undefined;
  readonly custom: CustomFilter | undefined;
}

/** One field of the form. */
export interface FormField {
  readonly field: AnyField;
  /** Shown, never written. */
  readonly readOnly: boolean;
}

/** A group of the form. */
export interface FormSection {
  readonly title: string | undefined;
  readonly description: string | undefined;
  readonly collapsed: boolean;
  readonly fields: readonly FormField[];
}

/** An inline group, resolved. */
export interface InlineGroup {
  readonly model: AnyModel;
  /** The child's foreign key to the parent. */
  readonly foreignKey: RelationField;
  readonly fields: readonly FormField[];
  readonly extra: number;
  readonly max: number;
  readonly title: string;
  /** A table of rows, or each child's fields stacked. */
  readonly style: 'tabular' | 'stacked';
  /** The form's prefix of its rows' inputs. */
  readonly prefix: string;
}

/** Model fields the admin never writes through a form, whatever the options. */
function formable(field: AnyField): boolean {
  if (field.column === null)
    return field.kind === 'manyToMany' && (field as RelationField).through === undefined;
  return !field.primaryKey || field.kind !== 'auto';
}

/** A registered model with its checked options. */
export class ModelAdmin<M extends AnyModel = AnyModel> {
  readonly model: M;
  readonly options: ModelAdminOptions<M>;
  /** The time zone datetimes are shown and typed in (the site's, from `TIME_ZONE`). */
  readonly zone: () => string;
  /** The URL segment of the model (`book`). */
  readonly slug: string;
  /** The app label (`library`). */
  readonly app: string;
  readonly display: (row: Record<string, any>) => string;
  readonly columns: readonly Column[];
  /** Relations the columns read: one join each. */
  readonly selectPaths: readonly string[];
  readonly search: readonly string[];
  readonly filters: readonly Filter[];
  readonly ordering: readonly string[];
  readonly pageSize: number;
  readonly count: 'exact' | 'estimate' | 'auto';
  readonly sections: readonly FormSection[];
  readonly inlines: readonly InlineGroup[];
  readonly actions: ReadonlyMap<string, AdminAction<M>>;
  readonly autocomplete: ReadonlySet<string>;
  readonly history: boolean;

  constructor(
    model: M,
    options: ModelAdminOptions<M>,
    displayOf: (model: AnyModel) => (row: any) => string,
    zone: () => string = () => 'UTC',
  ) {
    if (!model?.meta) throw new TypeError('register() needs a model made with model()');
    this.model = model;
    this.zone = zone;
    this.options = options;
    const meta = model.meta;
    this.slug = meta.name.toLowerCase();
    this.app = meta.app;
    const where = `register(${meta.label})`;
    this.display = options.display ?? defaultDisplay(model);
    this.pageSize = options.pageSize ?? 100;
    if (!Number.isSafeInteger(this.pageSize) || this.pageSize < 1 || this.pageSize > 1000)
      throw new AdminDefinitionError(`${where}: pageSize must be a whole number from 1 to 1000`);
    this.count = options.count ?? 'auto';
    this.history = options.history !== false;

    // Columns.
    const listed = options.list ?? defaultColumns(model);
    const links = new Set(options.listLinks ?? []);
    const columns: Column[] = [];
    const selectPaths = new Set<string>();
    for (const [i, item] of listed.entries()) {
      const column =
        typeof item === 'string'
          ? fieldColumn(model, item, `${where}: list`, displayOf, selectPaths)
          : computedColumn(model, item, `${where}: list`);
      columns.push({
        ...column,
        link: links.size === 0 ? i === 0 : links.has(column.name),
        className: `field-${column.name.replaceAll(/[^a-zA-Z0-9_-]/gu, '-')}`,
        render: cellRenderer(column.related ? undefined : column.field, zone),
      });
    }
    for (const name of links)
      if (!columns.some((c) => c.name === name))
        throw new AdminDefinitionError(
          `${where}: listLinks names '${name}', which is not a column${suggest(
            name,
            columns.map((c) => c.name),
          )}`,
        );
    this.columns = columns;
    this.selectPaths = [...selectPaths];

    // Search: text fields, across relations.
    this.search = (options.search ?? []).map((path) => {
      const field = resolved(model, path, `${where}: search`).field;
      if (!TEXT_KINDS.has(field.kind))
        throw new AdminDefinitionError(
          `${where}: search '${path}' is a ${field.kind} field; search looks in text fields`,
        );
      return path;
    });

    this.filters = (options.filters ?? []).map((item) => listFilter(model, item, `${where}: filters`));
    const parameters = this.filters.flatMap((f) => f.parameters);
    const twice = parameters.find((p, i) => parameters.indexOf(p) !== i);
    if (twice) throw new AdminDefinitionError(`${where}: two filters read the parameter '${twice}'`);

    this.ordering = (
      options.ordering ?? (meta.ordering.length ? meta.ordering : [`-${meta.pk.attribute}`])
    ).map((name) => {
      resolved(model, name.replace(/^-/u, ''), `${where}: ordering`);
      return name;
    });

    const autocomplete = new Set(options.autocomplete ?? []);
    for (const name of autocomplete) {
      const field = meta.fields.find((f) => f.name === name);
      if (!field || !(RELATION_KINDS.has(field.kind) || field.kind === 'manyToMany'))
        throw new AdminDefinitionError(
          `${where}: autocomplete names '${name}', which is not a relation of ${meta.label}${suggest(
            name,
            meta.forwardRelations.map((f) => f.name),
          )}`,
        );
    }
    this.autocomplete = autocomplete;
    this.sections = formSections(model, options, where);
    this.inlines = (options.inlines ?? []).map((inline) => inlineGroup(model, inline, where));
    const actions = new Map<string, AdminAction<M>>();
    for (const [name, action] of Object.entries(options.actions ?? {})) {
      if (!/^[a-zA-Z][a-zA-Z0-9_]*$/u.test(name) || name === 'deleteSelected')
        throw new AdminDefinitionError(
          `${where}: '${name}' cannot name an action (letters and digits; not deleteSelected)`,
        );
      if (typeof action?.run !== 'function' || typeof action.label !== 'string')
        throw new AdminDefinitionError(`${where}: the action '${name}' needs a label and a run() function`);
      actions.set(name, action);
    }
    this.actions = actions;
  }

  /** Every form field (sections flattened). */
  get formFields(): FormField[] {
    return this.sections.flatMap((section) => section.fields);
  }

  /** The model's plural name, capitalized (`Books`). */
  get title(): string {
    return capitalize(this.model.meta.verboseNamePlural);
  }

  /** The model's name, capitalized (`Book`). */
  get noun(): string {
    return capitalize(this.model.meta.verboseName);
  }
}

/** `resolvePath`, its error as the admin's. */
function resolved(model: AnyModel, path: string, where: string) {
  try {
    return resolvePath(model, path, `${where} '${path}'`);
  } catch (error) {
    if (error instanceof ResourceDefinitionError) throw new AdminDefinitionError(error.message);
    throw error;
  }
}

/** The columns of a model registered without `list`: the display and up to five short fields. */
function defaultColumns(model: AnyModel): string[] {
  const meta = model.meta;
  const shown = meta.concreteFields.filter(
    (f) => !f.primaryKey && !f.writeOnly && f.kind !== 'text' && f.kind !== 'json',
  );
  return [meta.pk.name, ...shown.slice(0, 5).map((f) => f.name)];
}

/** A column of a field or a path across foreign keys. */
function fieldColumn(
  model: AnyModel,
  path: string,
  where: string,
  displayOf: (model: AnyModel) => (row: any) => string,
  selectPaths: Set<string>,
): Omit<Column, 'link' | 'className' | 'render'> {
  const segments = path.split('__');
  let current = model;
  for (const [i, segment] of segments.entries()) {
    const field = current.meta.fields.find((f) => f.name === segment || f.attribute === segment);
    const last = i === segments.length - 1;
    if (!field) {
      const known = current.meta.fields.map((f) => f.name);
      throw new AdminDefinitionError(
        `${where}: ${current.meta.label} has no field '${segment}'${suggest(segment, known)}; its fields are ${known.join(', ')}`,
      );
    }
    if (field.kind === 'manyToMany')
      throw new AdminDefinitionError(
        `${where}: '${path}' is a many-to-many relation; a column shows one value per row`,
      );
    if (field.writeOnly)
      throw new AdminDefinitionError(`${where}: '${path}' is write-only; it is never shown`);
    if (!last && !RELATION_KINDS.has(field.kind))
      throw new AdminDefinitionError(`${where}: '${segments.slice(0, i + 1).join('__')}' is not a relation`);
    if (!last) {
      current = (field as RelationField).target;
      continue;
    }
    const keys = segments.slice(0, -1);
    const label =
      i === 0 ? field.label : `${capitalize(current.meta.verboseName)} ${field.label.toLowerCase()}`;
    const related =
      RELATION_KINDS.has(field.kind) && field.name === segment ? (field as RelationField).target : undefined;
    // A path's relations are joined; a foreign-key column is joined too, to show its row's text.
    const joined = related ? segments : keys;
    if (joined.length) selectPaths.add(joined.join('__'));
    const reach = (row: Record<string, any>) => {
      let value: any = row;
      for (const key of keys) value = value?.[key];
      return value;
    };
    let value: (row: Record<string, any>) => unknown;
    if (related) {
      const text = displayOf(related);
      value = (row) => {
        const target = reach(row)?.[field.name];
        return target === null || target === undefined ? null : text(target);
      };
    } else value = (row) => reach(row)?.[field.attribute];
    return { name: path, label, field, sort: path, value, related };
  }
  /* c8 ignore next */
  throw new AdminDefinitionError(`${where}: '${path}' is not a path`);
}

function computedColumn(
  model: AnyModel,
  column: ComputedColumn,
  where: string,
): Omit<Column, 'link' | 'className' | 'render'> {
  if (typeof column?.label !== 'string' || typeof column.value !== 'function')
    throw new AdminDefinitionError(`${where}: a computed column needs a label and a value(row) function`);
  if (column.orderBy !== undefined) resolved(model, column.orderBy.replace(/^-/u, ''), `${where} orderBy`);
  return {
    name: `computed:${column.label}`,
    label: column.label,
    field: undefined,
    sort: column.orderBy,
    value: column.value,
    related: undefined,
  };
}

/** A sidebar filter of a path or a custom one. */
function listFilter(model: AnyModel, item: string | CustomFilter, where: string): Filter {
  if (typeof item !== 'string') {
    if (!/^[a-zA-Z][a-zA-Z0-9_]*$/u.test(item?.parameter ?? '') || typeof item.filter !== 'function')
      throw new AdminDefinitionError(
        `${where}: a custom filter needs a parameter name, a title, choices and filter()`,
      );
    return {
      title: item.title,
      parameters: [item.parameter],
      kind: 'custom',
      path: undefined,
      field: undefined,
      custom: item,
    };
  }
  const { field } = resolved(model, item, where);
  const segments = item.split('__');
  // A many-to-many (`tags`) resolves to its target's key: the sidebar names the relation.
  const own = segments.length === 1 ? model.meta.fields.find((f) => f.name === item) : undefined;
  const title = own
    ? own.label
    : segments.length > 1
      ? `${field.model ? capitalize(field.model.meta.verboseName) : ''} ${field.label.toLowerCase()}`.trim()
      : field.label;
  if (field.kind === 'boolean')
    return {
      title,
      parameters: [`${item}__exact`, `${item}__isNull`],
      kind: 'boolean',
      path: item,
      field,
      custom: undefined,
    };
  if (field.choices?.length)
    return {
      title,
      parameters: [`${item}__exact`, `${item}__isNull`],
      kind: 'choices',
      path: item,
      field,
      custom: undefined,
    };
  if (RELATION_KINDS.has(field.kind) || field.primaryKey)
    return {
      title,
      parameters: [`${item}__exact`, `${item}__isNull`],
      kind: 'relation',
      path: item,
      field,
      custom: undefined,
    };
  if (field.kind === 'date' || field.kind === 'datetime')
    return {
      title,
      parameters: [`${item}__gte`, `${item}__lte`, `${item}__isNull`],
      kind: 'date',
      path: item,
      field,
      custom: undefined,
    };
  throw new AdminDefinitionError(
    `${where}: '${item}' is a ${field.kind} field; filters take booleans, choices, relations and dates (or a custom filter)`,
  );
}

/** The form's groups, from `fieldsets`, `fields` or the model. */
function formSections<M extends AnyModel>(
  model: M,
  options: ModelAdminOptions<M>,
  where: string,
): FormSection[] {
  const meta = model.meta;
  const readOnly = new Set(options.readOnly ?? []);
  const editable = new Set(options.editable ?? []);
  const exclude = new Set(options.exclude ?? []);
  const byName = (name: string, option: string): AnyField => {
    const field = meta.fields.find((f) => f.name === name || f.attribute === name);
    if (!field) {
      const known = meta.fields.map((f) => f.name);
      throw new AdminDefinitionError(
        `${where}: ${option} names '${name}', which ${meta.label} does not have${suggest(name, known)}`,
      );
    }
    return field;
  };
  for (const name of readOnly) byName(name, 'readOnly');
  for (const name of exclude) byName(name, 'exclude');
  for (const name of editable) {
    const field = byName(name, 'editable');
    if (field.column === null || field.primaryKey || field.writeOnly || field.autoNow || field.autoNowAdd)
      throw new AdminDefinitionError(`${where}: editable names '${name}', which no form may write`);
  }
  const writable = (field: AnyField) => isWritable(field) || editable.has(field.name);
  const formField = (field: AnyField): FormField | undefined => {
    if (exclude.has(field.name) || field.writeOnly || !formable(field)) return undefined;
    return { field, readOnly: readOnly.has(field.name) || (field.kind !== 'manyToMany' && !writable(field)) };
  };
  if (options.fieldsets && options.fields)
    throw new AdminDefinitionError(`${where}: give fieldsets or fields, not both`);
  const groups: readonly Fieldset[] = options.fieldsets ?? [
    {
      fields:
        options.fields ??
        meta.fields
          .filter(
            (f) =>
              formField(f) !== undefined && (writable(f) || f.kind === 'manyToMany' || readOnly.has(f.name)),
          )
          .map((f) => f.name),
    },
  ];
  const seen = new Set<string>();
  return groups.map((group) => ({
    title: group.title,
    description: group.description,
    collapsed: group.collapsed === true,
    fields: group.fields.map((name) => {
      const field = byName(name, 'fields');
      if (seen.has(field.name)) throw new AdminDefinitionError(`${where}: the form lists '${name}' twice`);
      seen.add(field.name);
      const shown = formField(field);
      if (!shown)
        throw new AdminDefinitionError(
          `${where}: '${name}' cannot be on the form (write-only, excluded or the primary key)`,
        );
      return shown;
    }),
  }));
}

function inlineGroup(parent: AnyModel, inline: Inline, where: string): InlineGroup {
  const child = inline?.model;
  if (!child?.meta) throw new AdminDefinitionError(`${where}: an inline needs a model`);
  const keys = child.meta.forwardRelations.filter(
    (f) =>
      RELATION_KINDS.has(f.kind) &&
      f.target === parent &&
      (inline.foreignKey === undefined || f.name === inline.foreignKey),
  );
  if (keys.length !== 1)
    throw new AdminDefinitionError(
      keys.length === 0
        ? `${where}: the inline ${child.meta.label} has no foreign key to ${parent.meta.label}${inline.foreignKey ? ` named '${inline.foreignKey}'` : ''}`
        : `${where}: the inline ${child.meta.label} has several foreign keys to ${parent.meta.label}; name one with foreignKey`,
    );
  const foreignKey = keys[0]!;
  const style = inline.style ?? 'tabular';
  if (style !== 'tabular' && style !== 'stacked')
    throw new AdminDefinitionError(
      `${where}: the inline ${child.meta.label}'s style should be 'tabular' or 'stacked', got ${JSON.stringify(style)}`,
    );
  const sections = formSections(
    child,
    {
      fields:
        inline.fields ??
        child.meta.fields.filter((f) => f !== foreignKey && isWritable(f)).map((f) => f.name),
    },
    `${where}: inline ${child.meta.label}`,
  );
  const fields = sections
    .flatMap((s) => s.fields)
    .filter((f) => f.field !== foreignKey && f.field.kind !== 'manyToMany');
  return {
    model: child,
    foreignKey,
    fields,
    extra: inline.extra ?? 1,
    max: inline.max ?? 100,
    title: inline.title ?? capitalize(child.meta.verboseNamePlural),
    style,
    prefix: `${child.meta.name.toLowerCase()}_set`,
  };
}

export { NUMBER_KINDS, RELATION_KINDS, TEXT_KINDS };

/**
 * What `register(Model, options)` accepts: Django's `ModelAdmin` options, checked against the
 * model when the model is registered. Every option has a default that gives a useful admin.
 */
import type { Database } from '../orm/database.ts';
import type { AnyModel } from '../orm/model.ts';
import type { QuerySet } from '../orm/query/queryset.ts';
import type { AdminUser } from './request.ts';

/** A column computed from the row (Django's callable in `list_display`). */
export interface ComputedColumn {
  /** The column's header. */
  readonly label: string;
  /** The cell's text, from the row (related columns of `selectRelated` paths are loaded). */
  readonly value: (row: Record<string, any>) => string | number | boolean | null | undefined;
  /** The field to sort the column by (a path of the model); without it the column does not sort. */
  readonly orderBy?: string;
}

/** A custom filter of the change list's sidebar (Django's `SimpleListFilter`). */
export interface CustomFilter {
  /** The query parameter (letters, digits and `_`). */
  readonly parameter: string;
  /** The sidebar heading, after "By". */
  readonly title: string;
  /** The choices: value → label. */
  readonly choices: Readonly<Record<string, string>>;
  /** The rows of one choice: a filter object of the model (`{ price__gte: '100' }`). */
  readonly filter: (value: string) => Record<string, unknown>;
}

/** A filter of the sidebar: a field path (booleans, choices, foreign keys, dates), or a custom one. */
export type ListFilter = string | CustomFilter;

/** What a bulk action gets. */
export interface ActionArgs<M extends AnyModel = AnyModel> {
  /** The selected rows the user may see (the policy's scope applied), on the action's transaction. */
  readonly rows: QuerySet<M>;
  /** The transaction the action runs in: a throw rolls it back. */
  readonly tx: Database;
  readonly user: AdminUser;
}

/** A bulk action of the change list (Django's admin action). */
export interface AdminAction<M extends AnyModel = AnyModel> {
  /** The label in the action menu (`Mark as published`). */
  readonly label: string;
  /** The permission the user needs on the model; `change` by default. */
  readonly permission?: 'view' | 'add' | 'change' | 'delete';
  /** Does the work; returns the message shown after it (`"3 books published."`). */
  readonly run: (args: ActionArgs<M>) => Promise<string | undefined> | string | undefined;
}

/** A group of fields on the form (Django's `fieldsets`). */
export interface Fieldset {
  /** The legend; none for the first, untitled group. */
  readonly title?: string;
  readonly fields: readonly string[];
  readonly description?: string;
  /** Shown closed (a disclosure the user opens). */
  readonly collapsed?: boolean;
}

/** Child rows edited on the parent's page (Django's `TabularInline` and `StackedInline`). */
export interface Inline {
  /** The child model; it has a foreign key to the parent. */
  readonly model: AnyModel;
  /** Its foreign key to the parent, when it has more than one. */
  readonly foreignKey?: string;
  /** The child's fields shown; its editable fields but the foreign key by default. */
  readonly fields?: readonly string[];
  /** Empty rows offered for new children; 1 by default. */
  readonly extra?: number;
  /** The most children the form holds; 100 by default. */
  readonly max?: number;
  /** The heading; the child model's plural name by default. */
  readonly title?: string;
  /**
   * `'tabular'` (the default): a table, a row per child, as Django's `TabularInline`.
   * `'stacked'`: each child's fields one under the other, as the parent's form lays them out
   * (Django's `StackedInline`), for children with many or long fields.
   */
  readonly style?: 'tabular' | 'stacked';
}

/** What the save hooks get. */
export interface SaveArgs {
  /** The values about to be written (`beforeSave` may change them), by row key. */
  readonly values: Record<string, unknown>;
  /** The row as stored before the save; `undefined` when adding. */
  readonly before: Record<string, any> | undefined;
  /** The row as saved (`afterSave` only). */
  readonly row?: Record<string, any>;
  /** The save's transaction: a throw rolls it back (a `ValidationError` shows on the form). */
  readonly tx: Database;
  readonly user: AdminUser;
}

/**
 * Options of `register(Model, options)`, as Django's `ModelAdmin`. Field names are the model's
 * (`title`), related paths with `__` (`author__name`); every name is checked when the model is
 * registered, and a mistake names the closest known one.
 */
export interface ModelAdminOptions<M extends AnyModel = AnyModel> {
  /** The text of one row (Django's `__str__`); the first of name/title/username/label/slug/email, else `Book 12`. */
  readonly display?: (row: Record<string, any>) => string;
  /** The change list's columns: fields, related paths (one join each) and computed columns. */
  readonly list?: readonly (string | ComputedColumn)[];
  /** The columns that link to the row's page; the first by default. */
  readonly listLinks?: readonly string[];
  /** Fields `?q=` searches (`icontains` on each word), related paths included. */
  readonly search?: readonly string[];
  /** The sidebar's filters. */
  readonly filters?: readonly ListFilter[];
  /** The default order; the model's `ordering`, else newest first by primary key. */
  readonly ordering?: readonly string[];
  /** Rows per page; 100 by default (Django's `list_per_page`). */
  readonly pageSize?: number;
  /**
   * How the change list counts: `'exact'` (a `COUNT(*)`), `'estimate'` (the planner's estimate
   * on PostgreSQL; exact on SQLite) or `'auto'`, the default: exact on SQLite, the estimate on
   * PostgreSQL (a page that holds the last row knows the exact total without counting).
   */
  readonly count?: 'exact' | 'estimate' | 'auto';
  /** Fields shown but never written by the form. */
  readonly readOnly?: readonly string[];
  /**
   * Fields the model marks `editable: false` (kept out of the API's bodies) that this form may
   * still change: the users admin lists `isActive`, `isStaff` and `isSuperuser`.
   */
  readonly editable?: readonly string[];
  /** Fields left off the form. */
  readonly exclude?: readonly string[];
  /** The form's fields in groups; one group of every editable field by default. */
  readonly fieldsets?: readonly Fieldset[];
  /** The form's fields, in order (instead of `fieldsets`). */
  readonly fields?: readonly string[];
  /** Child rows edited on the page. */
  readonly inlines?: readonly Inline[];
  /** Bulk actions, by name, besides "Delete selected". */
  readonly actions?: Readonly<Record<string, AdminAction<M>>>;
  /** Relations edited with a search box instead of a list of every row (for big tables). */
  readonly autocomplete?: readonly string[];
  /** Runs before the row is written, in its transaction. */
  readonly beforeSave?: (args: SaveArgs) => Promise<void> | void;
  /** Runs after the row (and its inlines) are written, in the same transaction. */
  readonly afterSave?: (args: SaveArgs) => Promise<void> | void;
  /** Record the row's changes in the history (on by default). */
  readonly history?: boolean;
}

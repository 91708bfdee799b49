/**
 * The change list: a model's rows in a sortable table with search, the filter sidebar, page
 * links and bulk selection; the bulk actions ("Delete selected", with its confirmation, and the
 * model's own); the CSV export of the filtered list; and the user's saved list settings. A page
 * is one query for its rows (the columns' relations joined) and at most one to count them.
 */

import { scoped } from '../../auth/policies.ts';
import { HttpError } from '../../http/errors.ts';
import { escapeHtml, type Html, html, unsafeHtml } from '../../http/html.ts';
import type { Database } from '../../orm/database.ts';
import type { AnyModel } from '../../orm/model.ts';
import { collectDeletion, type DeletionPlan } from '../../orm/query/deletion.ts';
import { ProtectedError, ValidationError } from '../../orm/query/errors.ts';
import { query } from '../../orm/query/queryset.ts';
import { ListSetting } from '../history.ts';
import type { Filter, ModelAdmin } from '../model-admin.ts';
import { keysOf } from '../request.ts';
import type { AdminRequest } from '../site.ts';
import { zonedInput } from '../time-zone.ts';
import { plainText } from '../widgets.ts';
import { type ListState, listQuery, listState } from './list-query.ts';

const LISTS = 'admin:lists';

/** Most rows a relation's filter lists (in the related model's order). */
const FILTER_ROWS = 100;

/** A user's saved settings of every model: loaded once per session into the session. */
type SavedLists = Record<string, { columns: string[]; query: string }>;

async function savedLists(request: AdminRequest): Promise<SavedLists> {
  const session = (request.ctx as any).session;
  let saved = (await session.get(LISTS)) as SavedLists | undefined;
  if (saved === undefined) {
    saved = {};
    const rows = (await query(request.db, ListSetting)
      .filter({ userId: String(request.user.id) })
      .all()) as unknown as { model: string; columns: string[]; query: string }[];
    for (const row of rows) saved[row.model] = { columns: row.columns, query: row.query };
    session.set(LISTS, saved);
  }
  return saved;
}

/** `params` with `changes` applied (`undefined` removes a key) and the page reset, as a query string. */
function withParams(
  params: URLSearchParams,
  changes: Record<string, string | undefined>,
  keepPage = false,
): string {
  const next = new URLSearchParams(params);
  if (!keepPage) next.delete('p');
  for (const [key, value] of Object.entries(changes)) {
    if (value === undefined) next.delete(key);
    else next.set(key, value);
  }
  const text = next.toString();
  return text ? `?${text}` : '?';
}

/** The day of `date` in the site's time zone, `YYYY-MM-DD`. */
function day(date: Date, zone: string): string {
  return zonedInput(date, zone).slice(0, 10);
}

/** The links of one sidebar filter. */
async function filterSection(request: AdminRequest, filter: Filter, params: URLSearchParams): Promise<Html> {
  const [first] = filter.parameters;
  const current = filter.parameters.map((p) => params.get(p));
  // The query without this filter's parameters (and the page), written once; each link adds its own.
  const rest = new URLSearchParams(params);
  rest.delete('p');
  for (const name of filter.parameters) rest.delete(name);
  const base = `?${rest.toString()}`;
  const given = filter.parameters.map((p) => params.get(p));
  // Written as text: a relation's filter has a link per related row.
  const link = (label: string, changes: Record<string, string | undefined>) => {
    let selected = true;
    for (const [i, name] of filter.parameters.entries())
      if ((changes[name] ?? null) !== given[i]) selected = false;
    let href = base;
    for (const name in changes) {
      const value = changes[name];
      if (value !== undefined) href += `${href.length > 1 ? '&' : ''}${name}=${encodeURIComponent(value)}`;
    }
    return unsafeHtml(
      `<li><a href="${escapeHtml(href)}"${selected ? ' aria-current="true"' : ''}>${escapeHtml(label)}</a></li>`,
    );
  };
  const items: Html[] = [link('All', {})];
  const field = filter.field;
  if (filter.kind === 'custom') {
    for (const [value, label] of Object.entries(filter.custom!.choices))
      items.push(link(label, { [first!]: value }));
  } else if (filter.kind === 'boolean') {
    items.push(link('Yes', { [first!]: 'true' }), link('No', { [first!]: 'false' }));
    if (field!.nullable) items.push(link('Unknown', { [`${filter.path}__isNull`]: 'true' }));
  } else if (filter.kind === 'choices') {
    for (const choice of field!.choices!) items.push(link(choice.label, { [first!]: String(choice.value) }));
    if (field!.nullable) items.push(link('Unknown', { [`${filter.path}__isNull`]: 'true' }));
  } else if (filter.kind === 'relation') {
    // A foreign key lists its target's rows; a path ending on a model (`groups`) lists that model's.
    const target: AnyModel =
      field!.kind === 'foreignKey' || field!.kind === 'oneToOne' ? (field as any).target : field!.model!;
    const targetPk = target.meta.pk.attribute;
    const order =
      request.site.registered(target)?.ordering ??
      (target.meta.ordering.length ? target.meta.ordering : [targetPk]);
    const related = await (await scoped(request.user, query(request.db, target)))
      .orderBy(...(order as never[]), targetPk as never)
      .limit(FILTER_ROWS)
      .all();
    const text = request.site.displayOf(target);
    // A link per related row, written as text from one escaped prefix.
    const prefix = escapeHtml(`${base}${base.length > 1 ? '&' : ''}${first!}=`);
    const others = given.slice(1).some((value) => value !== null);
    let list = '';
    for (const row of related) {
      const key = String(row[targetPk]);
      const current = !others && given[0] === key ? ' aria-current="true"' : '';
      list += `<li><a href="${prefix}${escapeHtml(encodeURIComponent(key))}"${current}>${escapeHtml(text(row))}</a></li>`;
    }
    items.push(unsafeHtml(list));
    if (field!.nullable) items.push(link('None', { [`${filter.path}__isNull`]: 'true' }));
  } else if (filter.kind === 'date') {
    const now = new Date();
    const zone = request.site.zone;
    const today = day(now, zone);
    const week = day(new Date(now.getTime() - 6 * 86_400_000), zone);
    const month = `${today.slice(0, 8)}01`;
    const year = `${today.slice(0, 4)}-01-01`;
    const [gte, lte] = filter.parameters;
    items.push(
      link('Today', { [gte!]: today, [lte!]: today }),
      link('Past 7 days', { [gte!]: week, [lte!]: today }),
      link('This month', { [gte!]: month, [lte!]: today }),
      link('This year', { [gte!]: year, [lte!]: today }),
    );
    if (field!.nullable) items.push(link('No date', { [`${filter.path}__isNull`]: 'true' }));
    const keep = [...params].filter(([k]) => !filter.parameters.includes(k) && k !== 'p');
    const id = `range-${filter.path}`;
    items.push(
      html`<li><form class="filter-range" method="get" aria-label="${filter.title} range">${keep.map(
        ([k, v]) => html`<input type="hidden" name="${k}" value="${v}">`,
      )}<label for="${id}-from">From</label><input type="date" id="${id}-from" name="${gte!}" value="${current[0] ?? ''}"><label for="${id}-to">To</label><input type="date" id="${id}-to" name="${lte!}" value="${current[1] ?? ''}"><button type="submit" class="button button--small">Filter</button></form></li>`,
    );
  }
  return html`<section class="filter"><h3>By ${filter.title.toLowerCase()}</h3><ul>${items}</ul></section>`;
}

/** Page links: the first, the last, and two around the current one. */
function pagination(params: URLSearchParams, page: number, pages: number): Html {
  if (pages <= 1) return html``;
  const shown = new Set(
    [1, pages, page - 2, page - 1, page, page + 1, page + 2].filter((n) => n >= 1 && n <= pages),
  );
  const sorted = [...shown].sort((a, b) => a - b);
  const items: Html[] = [];
  let last = 0;
  for (const n of sorted) {
    if (n > last + 1) items.push(html`<li><span class="ellipsis">…</span></li>`);
    items.push(
      n === page
        ? html`<li><span aria-current="page">${n}</span></li>`
        : html`<li><a href="${withParams(params, { p: n === 1 ? undefined : String(n) }, true)}">${n}<span class="visually-hidden"> (page)</span></a></li>`,
    );
    last = n;
  }
  return html`<nav class="pagination" aria-label="Pages"><ul>${items}</ul></nav>`;
}

/** How many rows the list has: exact, or the planner's estimate on PostgreSQL. */
async function total(
  admin: ModelAdmin,
  state: ListState,
  rows: any,
  db: { dialect: string },
): Promise<{ count: number; exact: boolean }> {
  const estimate = state.exactCount
    ? false
    : admin.count === 'estimate' || (admin.count === 'auto' && db.dialect === 'postgres');
  if (!estimate) return { count: await rows.count(), exact: true };
  return { count: await rows.estimatedCount(), exact: db.dialect !== 'postgres' };
}

/** The change list page. */
export async function changeList(request: AdminRequest, admin: ModelAdmin): Promise<Html | undefined> {
  await request.require('view', admin.model);
  const { site } = request;
  const saved = (await savedLists(request))[admin.model.meta.label];
  const params = request.query;
  // A bare address opens the user's saved filters.
  if (saved?.query && !request.here.includes('?')) {
    request.ctx.status(302).header('location', `${site.urlOf(admin)}?${saved.query}`);
    return undefined;
  }
  const state = listState(admin, params, saved?.columns);
  const all = await listQuery(request, admin, state);
  const size = admin.pageSize;
  let rows: Record<string, any>[] = await (admin.selectPaths.length
    ? all.selectRelated(...(admin.selectPaths as never[]))
    : all
  )
    .offset((state.page - 1) * size)
    .limit(size + 1)
    .all();
  const more = rows.length > size;
  rows = rows.slice(0, size);
  // A page that ends the list knows the total without counting.
  let counted =
    !more && (rows.length > 0 || state.page === 1)
      ? { count: (state.page - 1) * size + rows.length, exact: true }
      : await total(admin, state, all, request.db);
  if (!counted.exact)
    counted = {
      count: Math.max(counted.count, (state.page - 1) * size + rows.length + (more ? 1 : 0)),
      exact: false,
    };
  const pages = Math.max(1, Math.ceil(counted.count / size));
  if (rows.length === 0 && state.page > 1) {
    request.ctx.status(404);
  }

  const [canAdd, canChange, canDelete] = await Promise.all([
    request.can('add', admin.model),
    request.can('change', admin.model),
    request.can('delete', admin.model),
  ]);
  const actions: [string, string][] = [];
  if (canDelete) actions.push(['deleteSelected', `Delete selected ${admin.model.meta.verboseNamePlural}`]);
  for (const [name, action] of admin.actions)
    if (await request.can(action.permission ?? 'change', admin.model)) actions.push([name, action.label]);

  const pk = admin.model.meta.pk.attribute;
  const url = site.urlOf(admin);
  const headers = state.columns.map((column) => {
    if (!column.sort) return html`<th scope="col">${column.label}</th>`;
    const now = state.order.find((t) => t.replace(/^-/u, '') === column.name);
    const direction = now === undefined ? undefined : now.startsWith('-') ? 'descending' : 'ascending';
    const next = direction === 'ascending' ? `-${column.name}` : column.name;
    return html`<th scope="col"${direction ? html` aria-sort="${direction}"` : ''}><a class="sort-link" href="${withParams(params, { o: next })}">${column.label}${
      direction
        ? html` <span class="sort-indicator" aria-hidden="true">${direction === 'ascending' ? '▲' : '▼'}</span>`
        : ''
    }<span class="visually-hidden">, sort ${direction === 'ascending' ? 'descending' : 'ascending'}</span></a></th>`;
  });
  // The rows are the page's bulk: written as text in one pass, every value escaped.
  const rowBase = `${url}/`;
  const selectable = actions.length > 0;
  let body = '';
  for (const row of rows) {
    const key = escapeHtml(String(row[pk]));
    body += '<tr>';
    if (selectable)
      body += `<td class="select-cell"><input type="checkbox" class="select-row" name="_selected_action" value="${key}" aria-label="Select ${escapeHtml(admin.display(row))}"></td>`;
    for (const column of state.columns) {
      const [markup, className] = column.render(column.value(row));
      const classes = className ? `${column.className} ${className}` : column.className;
      body += column.link
        ? `<th scope="row" class="${classes}"><a href="${rowBase}${escapeHtml(encodeURIComponent(String(row[pk])))}/change">${markup}</a></th>`
        : `<td class="${classes}">${markup}</td>`;
    }
    body += '</tr>';
  }
  const filtered = state.filters.size > 0 || state.search !== '';
  const countText = `${counted.exact ? '' : 'about '}${counted.count.toLocaleString('en')} ${counted.count === 1 ? admin.model.meta.verboseName : admin.model.meta.verboseNamePlural}`;

  const sidebar = admin.filters.length
    ? html`<aside class="filters" aria-label="Filters"><h2 class="visually-hidden">Filters</h2>${await Promise.all(
        admin.filters.map((f) => filterSection(request, f, params)),
      )}${filtered ? html`<p><a href="?">Clear all filters</a></p>` : ''}</aside>`
    : '';
  const exportQuery = withParams(params, { p: undefined });
  const search = admin.search.length
    ? html`<form class="search-form" role="search" method="get"><label for="searchbar" class="visually-hidden">Search ${admin.title.toLowerCase()}</label><input type="search" id="searchbar" name="q" value="${state.search}" maxlength="200">${[
        ...state.filters,
      ].map(([k, v]) => html`<input type="hidden" name="${k}" value="${v}">`)}${
        params.get('o') ? html`<input type="hidden" name="o" value="${params.get('o')!}">` : ''
      }<button type="submit" class="button">Search</button></form>`
    : '';
  const settings = html`<details class="list-settings"><summary>Columns</summary><form method="post" action="${url}/settings">${await request.csrf()}<fieldset><legend>Columns shown</legend>${admin.columns.map(
    (c, i) =>
      html`<div class="field field--checkbox"><input type="checkbox" id="col-${i}" name="columns" value="${c.name}"${state.columns.includes(c) ? html` checked` : ''}><label for="col-${i}">${c.label}</label></div>`,
  )}</fieldset><input type="hidden" name="query" value="${exportQuery.slice(1)}"><div class="field field--checkbox"><input type="checkbox" id="save-filters" name="saveFilters" value="1"${saved?.query ? html` checked` : ''}><label for="save-filters">Open with these filters</label></div><button type="submit" class="button button--small">Save</button> <button type="submit" class="button button--small button--secondary" name="reset" value="1">Reset</button></form></details>`;
  const toolbar = html`<div class="toolbar">${search}<div class="toolbar__end"><a class="button button--secondary" href="${url}/export.csv${exportQuery === '?' ? '' : exportQuery}" download>Export CSV</a>${settings}</div></div>`;

  const table = rows.length
    ? html`<form method="post" action="${url}${withParams(params, {}, true) === '?' ? '' : withParams(params, {}, true)}" class="changelist-form">${await request.csrf()}${
        actions.length
          ? html`<div class="actions-bar"><label for="action">Action</label><select name="action" id="action"><option value="">Choose an action…</option>${actions.map(
              ([value, label]) => html`<option value="${value}">${label}</option>`,
            )}</select><button type="submit" class="button" name="index" value="0">Go</button><span class="selection-count js-only" aria-live="polite"></span></div>`
          : ''
      }<div class="table-wrap" role="region" aria-label="${admin.title}" tabindex="0"><table class="results"><caption class="visually-hidden">${admin.title}, ${countText}</caption><thead><tr>${
        actions.length
          ? html`<th scope="col" class="select-cell"><input type="checkbox" class="select-all js-only" aria-label="Select all rows on this page"></th>`
          : ''
      }${headers}</tr></thead><tbody>${unsafeHtml(body)}</tbody></table></div></form>`
    : html`<div class="empty-state">${
        filtered
          ? html`<h2>No ${admin.model.meta.verboseNamePlural} match</h2><p><a class="button" href="?">Clear the search and filters</a></p>`
          : state.page > 1
            ? html`<h2>This page is past the end</h2><p><a class="button" href="${withParams(params, { p: undefined })}">Back to the first page</a></p>`
            : html`<h2>No ${admin.model.meta.verboseNamePlural} yet</h2>${canAdd ? html`<p><a class="button button--primary" href="${url}/add">Add ${admin.model.meta.verboseName}</a></p>` : ''}`
      }</div>`;
  const countLine = html`<p class="result-count">${countText}${
    counted.exact ? '' : html` · <a href="${withParams(params, { count: 'exact' }, true)}">Count exactly</a>`
  }</p>`;

  return request.page({
    title: admin.title,
    breadcrumbs: [
      ['Home', `${site.prefix}/`],
      [admin.app.replaceAll('_', ' ').replace(/^./u, (c) => c.toUpperCase()), `${site.prefix}/${admin.app}`],
      [admin.title],
    ],
    actions: canAdd
      ? html`<a class="button button--primary" href="${url}/add">Add ${admin.model.meta.verboseName}</a>`
      : undefined,
    body: html`<div class="changelist${sidebar ? '' : ' changelist--no-filters'}"><div class="changelist-main">${toolbar}${countLine}${table}${pagination(params, state.page, pages)}${
      canChange ? '' : ''
    }</div>${sidebar}</div>`,
  });
}

/** The selected rows the user may see, by their keys. */
async function selected(
  request: AdminRequest,
  admin: ModelAdmin,
  keys: readonly string[],
  db: Database = request.db,
) {
  const pkField = admin.model.meta.pk;
  const values = keysOf(admin.model, keys);
  return (await scoped(request.user, query(db, admin.model))).filter({
    [`${pkField.attribute}__in`]: values,
  } as never);
}

/** Runs a bulk action of the change list (`POST` to the list's address). */
export async function runAction(request: AdminRequest, admin: ModelAdmin): Promise<Html | undefined> {
  await request.require('view', admin.model);
  const form = request.form;
  const { site } = request;
  const back = `${site.urlOf(admin)}${request.query.size ? `?${request.query}` : ''}`;
  const action = typeof form.action === 'string' ? form.action : '';
  const raw = form._selected_action;
  const keys = (Array.isArray(raw) ? raw : raw === undefined ? [] : [raw]).slice(0, 10_000);
  if (keys.some((k) => !/^[\w.@+:-]{1,255}$/u.test(k)))
    throw new HttpError(400, { detail: 'The selection holds a key that is not one.' });
  if (!action) {
    await request.flash('warning', 'No action selected.');
    return request.redirect(back);
  }
  if (keys.length === 0) {
    await request.flash(
      'warning',
      'Items must be selected in order to perform actions on them. No items have been changed.',
    );
    return request.redirect(back);
  }
  if (action === 'deleteSelected') return deleteSelected(request, admin, keys, back);
  const chosen = admin.actions.get(action);
  if (!chosen) throw new HttpError(400, { detail: `There is no action '${action.slice(0, 40)}'.` });
  await request.require(chosen.permission ?? 'change', admin.model);
  try {
    const message = await request.db.transaction(async (tx) => {
      const rows = await selected(request, admin, keys, tx);
      return chosen.run({ rows, tx, user: request.user });
    });
    await request.flash('success', message ?? `${chosen.label}: done.`);
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    await request.flash('error', error.errors.map((e) => e.msg).join(' '));
  }
  return request.redirect(back);
}

/** What a delete would remove, as nested lists, or the rows that block it. */
export async function deletionSummary(
  request: AdminRequest,
  admin: ModelAdmin,
  rows: readonly Record<string, any>[],
): Promise<{ summary: Html; blocked: boolean }> {
  const pk = admin.model.meta.pk;
  let plan: DeletionPlan;
  try {
    plan = await collectDeletion(
      request.db,
      admin.model,
      rows.map((row) => pk.toDb(row[pk.attribute], request.db.ops)),
    );
  } catch (error) {
    if (!(error instanceof ProtectedError)) throw error;
    return {
      blocked: true,
      summary: html`<div class="protected" role="alert"><h2>It cannot be deleted</h2><p>Deleting would require deleting these protected related objects first:</p><ul>${error.blockers.map(
        (b) =>
          html`<li>${b.count} ${b.model} (through ${b.field}): ${b.keys.map((k) => String(k)).join(', ')}${b.count > b.keys.length ? ', …' : ''}</li>`,
      )}</ul></div>`,
    };
  }
  const items: Html[] = [];
  for (const [model, keys] of plan.deleted) {
    if (model === admin.model) continue;
    items.push(
      html`<li>${keys.size} ${keys.size === 1 ? model.meta.verboseName : model.meta.verboseNamePlural}</li>`,
    );
  }
  return {
    blocked: false,
    summary: html`<div class="delete-summary"><h2>Objects</h2><ul class="deleted-objects">${rows.map(
      (row) =>
        html`<li>${admin.noun}: <a href="${request.site.rowUrl(admin, row[pk.attribute])}">${admin.display(row)}</a></li>`,
    )}</ul>${items.length ? html`<h2>Also deleted with them</h2><ul class="deleted-objects">${items}</ul>` : ''}</div>`,
  };
}

async function deleteSelected(
  request: AdminRequest,
  admin: ModelAdmin,
  keys: string[],
  back: string,
): Promise<Html | undefined> {
  await request.require('delete', admin.model);
  const set = await selected(request, admin, keys);
  const rows = await set.all();
  for (const row of rows) await request.require('delete', admin.model, row);
  const noun = rows.length === 1 ? admin.model.meta.verboseName : admin.model.meta.verboseNamePlural;
  if (request.form.post === 'yes') {
    try {
      const deleted = await request.db.transaction(async (tx) => {
        const pk = admin.model.meta.pk.attribute;
        return (await scoped(request.user, query(tx, admin.model)))
          .filter({ [`${pk}__in`]: rows.map((r) => r[pk]) } as never)
          .delete();
      });
      await request.flash(
        'success',
        `Successfully deleted ${deleted} ${deleted === 1 ? admin.model.meta.verboseName : admin.model.meta.verboseNamePlural}.`,
      );
    } catch (error) {
      if (!(error instanceof ProtectedError)) throw error;
      await request.flash('error', `Nothing was deleted: ${error.message}`);
    }
    return request.redirect(back);
  }
  const { summary, blocked } = await deletionSummary(request, admin, rows);
  const pk = admin.model.meta.pk.attribute;
  return request.page({
    title: 'Are you sure?',
    breadcrumbs: [
      ['Home', `${request.site.prefix}/`],
      [admin.title, request.site.urlOf(admin)],
      ['Delete multiple objects'],
    ],
    body: html`${blocked ? '' : html`<p>Are you sure you want to delete the ${rows.length} selected ${noun}? All of the following objects and their related items will be deleted:</p>`}${summary}${
      blocked
        ? html`<p><a class="button" href="${back}">Back to the list</a></p>`
        : html`<form method="post">${await request.csrf()}${rows.map(
            (row) => html`<input type="hidden" name="_selected_action" value="${String(row[pk])}">`,
          )}<input type="hidden" name="action" value="deleteSelected"><input type="hidden" name="post" value="yes"><div class="submit-row"><button type="submit" class="button button--danger">Yes, I’m sure</button> <a class="button button--secondary" href="${back}">No, take me back</a></div></form>`
    }`,
  });
}

/** A CSV cell: quoted when needed, and never read as a formula by a spreadsheet (OWASP). */
export function csvCell(value: string): string {
  const safe = /^[=+\-@\t\r]/u.test(value) ? `'${value}` : value;
  return /[",\r\n]/u.test(safe) || safe !== value ? `"${safe.replaceAll('"', '""')}"` : safe;
}

/** The filtered list as CSV: the visible columns, every matching row the user may see. */
export async function exportCsv(request: AdminRequest, admin: ModelAdmin): Promise<string> {
  await request.require('view', admin.model);
  const saved = (await savedLists(request))[admin.model.meta.label];
  const state = listState(admin, request.query, saved?.columns);
  const all = await listQuery(request, admin, state);
  const set = admin.selectPaths.length ? all.selectRelated(...(admin.selectPaths as never[])) : all;
  const lines = [state.columns.map((c) => csvCell(c.label)).join(',')];
  for await (const row of set.iterate({ chunkSize: 500 }))
    lines.push(
      state.columns.map((c) => csvCell(plainText(c.field, c.value(row as never), admin.zone()))).join(','),
    );
  const name = `${admin.model.meta.verboseNamePlural.replaceAll(/[^a-z0-9]+/giu, '-')}.csv`;
  request.ctx.header('content-type', 'text/csv; charset=utf-8');
  request.ctx.header('content-disposition', `attachment; filename="${name}"`);
  return `${lines.join('\r\n')}\r\n`;
}

/** Saves the user's columns and (optionally) filters of this list. */
export async function saveListSettings(request: AdminRequest, admin: ModelAdmin): Promise<undefined> {
  await request.require('view', admin.model);
  const form = request.form;
  const chosen = (Array.isArray(form.columns) ? form.columns : form.columns ? [form.columns] : []).filter(
    (name) => admin.columns.some((c) => c.name === name),
  );
  const queryText = typeof form.query === 'string' ? form.query.slice(0, 2000) : '';
  // Only a query the list accepts is kept.
  listState(admin, new URLSearchParams(queryText));
  const reset = form.reset === '1';
  const values = {
    columns: reset ? [] : chosen,
    query: reset || form.saveFilters !== '1' ? '' : queryText,
  };
  await query(request.db, ListSetting).updateOrCreate(
    { userId: String(request.user.id), model: admin.model.meta.label },
    values,
  );
  const session = (request.ctx as any).session;
  const lists = { ...((await session.get(LISTS)) ?? {}), [admin.model.meta.label]: values };
  session.set(LISTS, lists);
  await request.flash('success', reset ? 'The list settings are reset.' : 'The list settings are saved.');
  return request.redirect(`${request.site.urlOf(admin)}${values.query ? `?${values.query}` : '?'}`);
}

/**
 * The change list's state, all of it in the URL (bookmarkable): `q` (search), `o` (order),
 * `p` (page), `count=exact`, and the declared filters' parameters. Only declared names reach
 * the ORM, values always as parameters; anything else is refused with a message naming it.
 * The same state drives the page, the CSV export and the bulk actions' selection.
 */
import { scoped } from '../../auth/policies.ts';
import { readValue } from '../../crud/fields.ts';
import { searchCondition } from '../../crud/filters.ts';
import { HttpError } from '../../http/errors.ts';
import type { QuerySet } from '../../orm/query/queryset.ts';
import { query } from '../../orm/query/queryset.ts';
import type { Column, Filter, ModelAdmin } from '../model-admin.ts';
import { suggest } from '../request.ts';
import type { AdminRequest } from '../site.ts';
import { startOfDay } from '../time-zone.ts';

/** The parameters every change list reads besides its filters. */
export const LIST_PARAMETERS = ['q', 'o', 'p', 'count'];

/** A change list's request, checked. */
export interface ListState {
  readonly search: string;
  /** The columns' sort: `name` or `-name`. */
  readonly order: readonly string[];
  readonly page: number;
  readonly exactCount: boolean;
  /** Declared filter parameters and their values as given. */
  readonly filters: ReadonlyMap<string, string>;
  /** The visible columns. */
  readonly columns: readonly Column[];
}

function refuse(detail: string): never {
  throw new HttpError(400, { code: 'VOLT_ADMIN_BAD_PARAMETER', detail });
}

/** Reads and checks the list's parameters; an unknown or malformed one is a 400 naming it. */
export function listState(
  admin: ModelAdmin,
  params: URLSearchParams,
  visible?: readonly string[],
): ListState {
  const known = [...LIST_PARAMETERS, ...admin.filters.flatMap((f) => f.parameters)];
  const filters = new Map<string, string>();
  for (const [name, value] of params) {
    if (!known.includes(name))
      refuse(
        `The list has no parameter '${name.slice(0, 60)}'${suggest(name, known)}: filters, sorting and search accept only the declared fields.`,
      );
    if (LIST_PARAMETERS.includes(name)) continue;
    if (filters.has(name)) refuse(`The parameter '${name}' is given twice.`);
    if (value.length > 200) refuse(`The value of '${name}' is too long.`);
    filters.set(name, value);
  }
  const search = (params.get('q') ?? '').slice(0, 200);
  const pageText = params.get('p') ?? '1';
  const page = /^[1-9]\d{0,6}$/u.test(pageText)
    ? Number(pageText)
    : refuse(`'${pageText.slice(0, 20)}' is not a page number.`);
  const order: string[] = [];
  for (const term of (params.get('o') ?? '').split(',').filter(Boolean)) {
    const name = term.replace(/^-/u, '');
    const column = admin.columns.find((c) => c.name === name);
    if (!column?.sort)
      refuse(
        `The list cannot be sorted by '${name.slice(0, 60)}'${suggest(
          name,
          admin.columns.filter((c) => c.sort).map((c) => c.name),
        )}.`,
      );
    order.push(term);
  }
  const columns = visible?.length ? admin.columns.filter((c) => visible.includes(c.name)) : admin.columns;
  return {
    search,
    order,
    page,
    exactCount: params.get('count') === 'exact',
    filters,
    columns: columns.length ? columns : admin.columns,
  };
}

/** One filter parameter's condition, or a 400 naming the bad value. */
function condition(filter: Filter, name: string, value: string, zone: string): Record<string, unknown> {
  if (filter.custom) {
    if (!Object.hasOwn(filter.custom.choices, value))
      refuse(`'${value.slice(0, 40)}' is not a choice of the filter '${name}'.`);
    return filter.custom.filter(value);
  }
  if (name.endsWith('__isNull')) {
    if (value !== 'true' && value !== 'false') refuse(`'${name}' takes true or false.`);
    return { [name]: value === 'true' };
  }
  // A date bound applies to a datetime as the whole day, in the site's time zone.
  if (filter.kind === 'date' && filter.field!.kind === 'datetime') {
    const day = /^\d{4}-\d{2}-\d{2}$/u.test(value)
      ? value
      : refuse(`${name}: give a date such as 2026-03-01.`);
    const at = new Date(`${day}T00:00:00Z`);
    if (Number.isNaN(at.getTime()) || at.toISOString().slice(0, 10) !== day)
      refuse(`${name}: '${day}' is not a date.`);
    if (name.endsWith('__lte'))
      return {
        [`${filter.path}__lt`]: startOfDay(
          new Date(at.getTime() + 86_400_000).toISOString().slice(0, 10),
          zone,
        ),
      };
    return { [name]: startOfDay(day, zone) };
  }
  const read = readValue(filter.field!, value);
  if ('problem' in read) refuse(`${name}: ${read.problem}`);
  return { [name]: read.value };
}

/** The rows the list shows (before paging): the user's scope, the filters, the search, the order. */
export async function listQuery(
  request: AdminRequest,
  admin: ModelAdmin,
  state: ListState,
): Promise<QuerySet<any, any, any>> {
  let rows: QuerySet<any, any, any> = await scoped(request.user, query(request.db, admin.model));
  for (const [name, value] of state.filters) {
    const filter = admin.filters.find((f) => f.parameters.includes(name))!;
    rows = rows.filter(condition(filter, name, value, admin.zone()) as never);
  }
  if (state.search && admin.search.length) {
    const errors: { msg: string }[] = [];
    const words = searchCondition(admin.search, state.search, errors as never);
    if (errors.length) refuse(errors[0]!.msg);
    if (words) rows = rows.filter(...(words as never[]));
  }
  const pk = admin.model.meta.pk.attribute;
  const order = state.order.length
    ? state.order.map((term) => {
        const column = admin.columns.find((c) => c.name === term.replace(/^-/u, ''))!;
        const descending = term.startsWith('-') !== column.sort!.startsWith('-');
        return `${descending ? '-' : ''}${column.sort!.replace(/^-/u, '')}`;
      })
    : [...admin.ordering];
  // The primary key last: a stable order, so pages never repeat or skip a row.
  if (!order.some((term) => term.replace(/^-/u, '') === pk)) order.push(pk);
  return rows.orderBy(...(order as never[]));
}

/**
 * The search behind a relation's autocomplete box: `GET <model>/autocomplete?field=author&term=ada`
 * answers the target rows the user may see whose search fields (the target's registered
 * `search`) hold every word, as `{ results: [{ id, text }], more }`, twenty at a time.
 */
import { scoped } from '../../auth/policies.ts';
import { searchCondition } from '../../crud/filters.ts';
import { HttpError } from '../../http/errors.ts';
import type { RelationField } from '../../orm/fields/relation.ts';
import { query } from '../../orm/query/queryset.ts';
import type { ModelAdmin } from '../model-admin.ts';
import type { AdminRequest } from '../site.ts';

const PAGE = 20;

/** The autocomplete's answer. */
export async function autocomplete(
  request: AdminRequest,
  admin: ModelAdmin,
): Promise<{ results: { id: string; text: string }[]; more: boolean }> {
  const name = request.query.get('field') ?? '';
  if (!admin.autocomplete.has(name))
    throw new HttpError(404, {
      code: 'VOLT_ADMIN_NOT_FOUND',
      detail: `'${name.slice(0, 40)}' has no autocomplete.`,
    });
  // Only someone who may use this model's form may search its relation's rows.
  if (!((await request.can('add', admin.model)) || (await request.can('change', admin.model))))
    throw new HttpError(403, { code: 'VOLT_ADMIN_PERMISSION_DENIED', detail: 'You may not use this form.' });
  const target = (admin.model.meta.field(name) as RelationField).target;
  const targetAdmin = request.site.registered(target);
  const term = (request.query.get('term') ?? '').slice(0, 100);
  const page = Math.min(Math.max(Number(request.query.get('page')) || 1, 1), 1000);
  let rows = await scoped(request.user, query(request.db, target));
  if (term && targetAdmin?.search.length) {
    const words = searchCondition(targetAdmin.search, term, []);
    if (words) rows = rows.filter(...(words as never[]));
  }
  const pk = target.meta.pk.attribute;
  const found = await rows
    .orderBy(...((targetAdmin?.ordering ?? [pk]) as never[]), pk as never)
    .offset((page - 1) * PAGE)
    .limit(PAGE + 1)
    .all();
  const text = request.site.displayOf(target);
  request.ctx.header('cache-control', 'no-store');
  return {
    results: found.slice(0, PAGE).map((row: any) => ({ id: String(row[pk]), text: text(row) })),
    more: found.length > PAGE,
  };
}

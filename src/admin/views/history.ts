/**
 * A row's history page: every recorded write (who, when, from where, each field's old and new
 * value; write-only fields shown as changed, never their values), newest first, and "Revert
 * this field", which sets an old value again through the same permission, scope and
 * validation as the change form — and is recorded in turn.
 */
import { scoped } from '../../auth/policies.ts';
import { HttpError } from '../../http/errors.ts';
import { type Html, html } from '../../http/html.ts';
import { ValidationError } from '../../orm/query/errors.ts';
import { query } from '../../orm/query/queryset.ts';
import { Change, type FieldChange, restorable } from '../history.ts';
import type { ModelAdmin } from '../model-admin.ts';
import { keysOf } from '../request.ts';
import type { AdminRequest } from '../site.ts';
import { plainText } from '../widgets.ts';
import { ACTIONS } from './dashboard.ts';
import { keyOf, rowAt } from './form.ts';

const SOURCES: Record<string, string> = { admin: 'admin', request: 'API', script: 'script' };

/** The recorded writes of one row, newest first (at most 500). */
async function entriesOf(request: AdminRequest, admin: ModelAdmin, key: string) {
  return query(request.db, Change)
    .filter({ model: admin.model.meta.label, objectKey: String(keyOf(admin.model, key)) })
    .orderBy('-at', '-id')
    .limit(500)
    .all();
}

/** The text of related rows by relation field name and key, for the keys a history shows. */
type RelatedTexts = ReadonlyMap<string, ReadonlyMap<string, string>>;

/**
 * The text of the related rows the entries name (one query per relation field, the related
 * model's scope applied: a row the user may not see stays a key).
 */
async function relatedTexts(
  request: AdminRequest,
  admin: ModelAdmin,
  entries: readonly { changes: unknown }[],
) {
  const out = new Map<string, Map<string, string>>();
  for (const field of admin.model.meta.forwardRelations) {
    const keys = new Set<string>();
    for (const entry of entries) {
      const change = (entry.changes as Record<string, FieldChange> | null)?.[field.name];
      for (const value of [change?.old, change?.new].flat())
        if (value !== null && value !== undefined && (typeof value === 'number' || typeof value === 'string'))
          keys.add(String(value));
    }
    if (keys.size === 0) continue;
    const target = field.target;
    const pk = target.meta.pk;
    const values = keysOf(target, [...keys].slice(0, 500));
    if (values.length === 0) continue;
    const rows = await (await scoped(request.user, query(request.db, target)))
      .filter({ [`${pk.attribute}__in`]: values } as never)
      .all();
    const text = request.site.displayOf(target);
    out.set(field.name, new Map(rows.map((r: Record<string, any>) => [String(r[pk.attribute]), text(r)])));
  }
  return out;
}

function valueText(admin: ModelAdmin, name: string, value: unknown, related: RelatedTexts): Html {
  const field = admin.model.meta.fields.find((f) => f.name === name);
  if (value === null || value === undefined || value === '') return html`<span class="muted">empty</span>`;
  if (field?.kind === 'datetime') return html`${plainText(field, new Date(String(value)), admin.zone())}`;
  const texts = related.get(name);
  const one = (v: unknown) => texts?.get(String(v)) ?? String(v);
  if (Array.isArray(value))
    return value.length ? html`${value.map(one).join(', ')}` : html`<span class="muted">none</span>`;
  if (texts) return html`${one(value)}`;
  return html`${plainText(field, value, admin.zone())}`;
}

/** The history page. */
export async function historyPage(request: AdminRequest, admin: ModelAdmin, key: string): Promise<Html> {
  const { site } = request;
  const row = await rowAt(request, admin, key);
  await request.require('view', admin.model, row);
  const canChange = await request.can('change', admin.model, row);
  const entries = await entriesOf(request, admin, key);
  const related = await relatedTexts(request, admin, entries);
  const csrf = await request.csrf();
  const rows = entries.map((entry) => {
    const action = ACTIONS[entry.action]!;
    const changes = Object.entries((entry.changes ?? {}) as Record<string, FieldChange>).map(
      ([name, change]) => {
        const field = admin.model.meta.fields.find((f) => f.name === name);
        const label = field?.label ?? name;
        if (change.masked)
          return html`<div class="field-change"><dt>${label}</dt><dd><span class="masked">changed (hidden)</span></dd></div>`;
        const revert =
          canChange &&
          entry.action === 'update' &&
          field &&
          restorable(field, change) &&
          admin.formFields.some((f) => f.field === field && !f.readOnly)
            ? html` <form class="revert-form inline-form" method="post" action="${site.rowUrl(admin, key, 'history')}/${entry.id}/revert">${csrf}<input type="hidden" name="field" value="${name}"><button type="submit" class="button button--small">Revert ${label.toLowerCase()}<span class="visually-hidden"> to its old value</span></button></form>`
            : '';
        const parts =
          entry.action === 'create'
            ? html`<ins class="new">${valueText(admin, name, change.new, related)}</ins>`
            : entry.action === 'delete'
              ? html`<del class="old">${valueText(admin, name, change.old, related)}</del>`
              : html`<del class="old">${valueText(admin, name, change.old, related)}</del> <span aria-hidden="true">→</span><span class="visually-hidden">changed to</span> <ins class="new">${valueText(admin, name, change.new, related)}</ins>`;
        return html`<div class="field-change"><dt>${label}</dt><dd>${parts}${revert}</dd></div>`;
      },
    );
    return html`<tr><td><time datetime="${entry.at.toISOString()}">${plainText(undefined, entry.at, admin.zone())}</time></td><td class="history-who">${entry.userName ? html`${entry.userName}<span class="muted"> · via ${SOURCES[entry.source] ?? entry.source}</span>` : html`<span class="muted">${SOURCES[entry.source] ?? entry.source}</span>`}</td><td><span class="badge ${action.badge}">${action.label}</span></td><td>${
      changes.length
        ? html`<dl class="field-changes">${changes}</dl>`
        : html`<span class="muted">No field changed</span>`
    }</td></tr>`;
  });
  const text = admin.display(row);
  return request.page({
    title: `Change history: ${text}`,
    breadcrumbs: [
      ['Home', `${site.prefix}/`],
      [admin.title, site.urlOf(admin)],
      [text, site.rowUrl(admin, key)],
      ['History'],
    ],
    body: entries.length
      ? html`<div class="table-wrap" role="region" aria-label="Changes" tabindex="0"><table class="history-table"><caption class="visually-hidden">Changes of ${text}, newest first</caption><thead><tr><th scope="col">When</th><th scope="col">Who</th><th scope="col">Action</th><th scope="col">Changes</th></tr></thead><tbody>${rows}</tbody></table></div>`
      : html`<div class="empty-state"><h2>No history yet</h2><p>This ${admin.model.meta.verboseName} has no recorded change.</p></div>`,
  });
}

/** Sets one field back to the old value a recorded change holds. */
export async function revertField(
  request: AdminRequest,
  admin: ModelAdmin,
  key: string,
  entryId: string,
): Promise<undefined> {
  const { site } = request;
  const meta = admin.model.meta;
  const name = typeof request.form.field === 'string' ? request.form.field : '';
  const back = site.rowUrl(admin, key, 'history');
  if (!/^\d{1,16}$/u.test(entryId))
    throw new HttpError(404, { code: 'VOLT_ADMIN_NOT_FOUND', detail: 'There is no such change.' });
  const entry = await query(request.db, Change)
    .filter({ id: Number(entryId), model: meta.label, objectKey: String(keyOf(admin.model, key)) })
    .first();
  const field = meta.fields.find((f) => f.name === name);
  const change = (entry?.changes as Record<string, FieldChange> | undefined)?.[name];
  const spec = admin.formFields.find((f) => f.field === field && !f.readOnly);
  const value = field && change ? restorable(field, change) : undefined;
  if (!entry || !field || !change || !spec || !value || entry.action !== 'update')
    throw new HttpError(404, { code: 'VOLT_ADMIN_NOT_FOUND', detail: 'That change cannot be reverted.' });
  // Asked before the transaction: a 403 page for a user who may not change the row, and the
  // user's permissions loaded on the request's database, not inside the transaction.
  await request.require('change', admin.model, await rowAt(request, admin, key));
  try {
    await request.db.transaction(async (tx) => {
      const row = await rowAt(request, admin, key, tx);
      if (!(await request.can('change', admin.model, row)))
        throw new HttpError(403, {
          code: 'VOLT_ADMIN_PERMISSION_DENIED',
          detail: `You may not change this ${meta.verboseName}.`,
        });
      const pk = meta.pk.attribute;
      const updated = await query(tx, admin.model)
        .filter({ [pk]: row[pk] } as never)
        .updateOne({ [field.attribute]: value.value } as never);
      const kept = await (await scoped(request.user, query(tx, admin.model)))
        .filter({ [pk]: updated[pk] } as never)
        .first();
      if (!kept || !(await request.can('change', admin.model, kept)))
        throw new HttpError(403, {
          code: 'VOLT_ADMIN_OUT_OF_SCOPE',
          detail: 'The old value would put the row out of your reach; nothing was changed.',
        });
    });
    await request.flash('success', `${field.label} is back to its old value.`);
  } catch (error) {
    if (error instanceof ValidationError)
      await request.flash(
        'error',
        `${field.label} cannot take its old value: ${error.errors.map((e) => e.msg).join(' ')}`,
      );
    else if (error instanceof HttpError && error.status === 403)
      await request.flash('error', error.detail ?? error.message);
    else throw error;
  }
  return request.redirect(back);
}

/**
 * The dashboard (`/admin/`) and an app's page (`/admin/<app>`): the models the user may use,
 * grouped by app, with links to add and list, and the user's recent actions.
 */
import { type Html, html } from '../../http/html.ts';
import { query } from '../../orm/query/queryset.ts';
import { Change } from '../history.ts';
import { capitalize } from '../request.ts';
import { type AdminRequest, notFound } from '../site.ts';

/** Badge text and class of a recorded action. */
export const ACTIONS: Record<string, { label: string; badge: string }> = {
  create: { label: 'Added', badge: 'badge--create' },
  update: { label: 'Changed', badge: 'badge--update' },
  delete: { label: 'Deleted', badge: 'badge--delete' },
};

/** `5 minutes ago`, for a recent date. */
export function ago(at: Date, now = Date.now()): string {
  const seconds = Math.max(0, Math.round((now - at.getTime()) / 1000));
  const unit = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'} ago`;
  if (seconds < 60) return 'just now';
  if (seconds < 3600) return unit(Math.floor(seconds / 60), 'minute');
  if (seconds < 86_400) return unit(Math.floor(seconds / 3600), 'hour');
  return unit(Math.floor(seconds / 86_400), 'day');
}

/** The dashboard, or one app's models when `app` is given. */
export async function dashboard(request: AdminRequest, app?: string): Promise<Html> {
  const { site } = request;
  const p = site.prefix;
  const groups = new Map<string, Html[]>();
  for (const admin of site.admins) {
    if (app !== undefined && admin.app !== app) continue;
    const [view, add, change] = await Promise.all([
      request.canView(admin.model),
      request.can('add', admin.model),
      request.can('change', admin.model),
    ]);
    if (!view) continue;
    const rows = groups.get(admin.app) ?? [];
    const url = site.urlOf(admin);
    rows.push(
      html`<tr><th scope="row"><a href="${url}">${admin.title}</a></th><td class="row-actions">${
        add
          ? html`<a class="button button--small" href="${url}/add">Add<span class="visually-hidden"> ${admin.noun.toLowerCase()}</span></a> `
          : ''
      }<a class="button button--small button--secondary" href="${url}">${change ? 'Change' : 'View'}<span class="visually-hidden"> ${admin.title.toLowerCase()}</span></a></td></tr>`,
    );
    groups.set(admin.app, rows);
  }
  if (app !== undefined && groups.size === 0) throw notFound();
  const cards = [...groups.entries()].map(
    ([label, rows]) =>
      html`<section class="card app-card" aria-labelledby="app-${label}"><h2 id="app-${label}"><a href="${p}/${label}">${capitalize(label.replaceAll('_', ' '))}</a></h2><table class="model-table"><caption class="visually-hidden">Models of ${label}</caption>${rows}</table></section>`,
  );
  const body =
    cards.length === 0
      ? html`<div class="empty-state"><h2>Nothing to manage yet</h2><p>You may not view or change any model. Ask an administrator for permissions.</p></div>`
      : html`<div class="dashboard">${cards}${app === undefined ? await recentActions(request) : ''}</div>`;
  const title =
    app === undefined ? 'Site administration' : `${capitalize(app.replaceAll('_', ' '))} administration`;
  return request.page({
    title,
    breadcrumbs: app === undefined ? [] : [['Home', `${p}/`], [capitalize(app.replaceAll('_', ' '))]],
    body,
  });
}

/** The user's last ten recorded actions (one query). */
async function recentActions(request: AdminRequest): Promise<Html> {
  const { site } = request;
  const entries = await query(request.db, Change)
    .filter({ userId: String(request.user.id) })
    .orderBy('-at', '-id')
    .limit(10)
    .all();
  const items = entries.map((entry) => {
    const admin = site.admins.find((a) => a.model.meta.label === entry.model);
    const action = ACTIONS[entry.action]!;
    const link =
      admin && entry.action !== 'delete'
        ? html`<a href="${site.rowUrl(admin, entry.objectKey)}">${entry.objectText}</a>`
        : html`<span>${entry.objectText}</span>`;
    return html`<li><span class="badge ${action.badge}">${action.label}</span> ${link} <span class="muted">${admin?.noun ?? entry.model} · <time datetime="${entry.at.toISOString()}">${ago(entry.at)}</time></span></li>`;
  });
  return html`<section class="card recent-actions" aria-labelledby="recent-actions"><h2 id="recent-actions">My recent actions</h2>${
    items.length ? html`<ul class="history-list">${items}</ul>` : html`<p class="muted">None yet.</p>`
  }</section>`;
}

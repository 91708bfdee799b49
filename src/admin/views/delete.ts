/**
 * The delete confirmation: what the cascade deletes with the row, or the protected rows that
 * block it; the confirmed delete is one transaction.
 */
import { type Html, html } from '../../http/html.ts';
import { ProtectedError } from '../../orm/query/errors.ts';
import { query } from '../../orm/query/queryset.ts';
import type { ModelAdmin } from '../model-admin.ts';
import type { AdminRequest } from '../site.ts';
import { deletionSummary } from './changelist.ts';
import { rowAt } from './form.ts';

/** `GET`: the confirmation; `POST`: the delete. */
export async function deletePage(
  request: AdminRequest,
  admin: ModelAdmin,
  key: string,
): Promise<Html | undefined> {
  const { site } = request;
  const meta = admin.model.meta;
  const row = await rowAt(request, admin, key);
  await request.require('delete', admin.model, row);
  const text = admin.display(row);
  if (request.ctx.request.method === 'POST') {
    try {
      await request.db.transaction(async (tx) => {
        // Read again in the transaction: the row the user may still see, then deleted.
        const current = await rowAt(request, admin, key, tx);
        await query(tx, admin.model)
          .filter({ [meta.pk.attribute]: current[meta.pk.attribute] } as never)
          .deleteOne();
      });
      await request.flash('success', `The ${meta.verboseName} “${text}” was deleted successfully.`);
      return request.redirect(site.urlOf(admin));
    } catch (error) {
      if (!(error instanceof ProtectedError)) throw error;
      await request.flash('error', `Nothing was deleted: ${error.message}`);
      return request.redirect(site.rowUrl(admin, key, 'delete'));
    }
  }
  const { summary, blocked } = await deletionSummary(request, admin, [row]);
  return request.page({
    title: blocked ? `Cannot delete ${meta.verboseName}` : 'Are you sure?',
    breadcrumbs: [
      ['Home', `${site.prefix}/`],
      [admin.title, site.urlOf(admin)],
      [text, site.rowUrl(admin, key)],
      ['Delete'],
    ],
    body: html`${
      blocked
        ? html`<p>Deleting the ${meta.verboseName} “${text}” would require deleting related objects that are protected.</p>`
        : html`<p>Are you sure you want to delete the ${meta.verboseName} “${text}”? All of the following related items will be deleted:</p>`
    }${summary}${
      blocked
        ? html`<p><a class="button" href="${site.rowUrl(admin, key)}">Back</a></p>`
        : html`<form method="post">${await request.csrf()}<div class="submit-row"><button type="submit" class="button button--danger">Yes, I’m sure</button> <a class="button button--secondary" href="${site.rowUrl(admin, key)}">No, take me back</a></div></form>`
    }`,
  });
}

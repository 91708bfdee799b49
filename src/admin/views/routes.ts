/**
 * The admin's routes: one generic set under the site's path, none of them in the OpenAPI
 * document. Each staff page passes the gate first (an active staff user, else the login page);
 * a refusal or a missing page is an admin page with its status, never a JSON problem.
 */
import type { VoltApp } from '../../http/app.ts';
import type { AnyContext } from '../../http/context.ts';
import { HttpError } from '../../http/errors.ts';
import { html } from '../../http/html.ts';
import { FORM_CONTENT_TYPE } from '../../security/form-body.ts';
import { AdminRequest, notFound, type Site, staffOf, themeOf } from '../site.ts';
import { adminAssets } from '../static/assets.ts';
import { autocomplete } from './autocomplete.ts';
import { changeList, exportCsv, runAction, saveListSettings } from './changelist.ts';
import { dashboard } from './dashboard.ts';
import { deletePage } from './delete.ts';
import { changeForm, passwordForm } from './form.ts';
import { historyPage, revertField } from './history.ts';
import { addLoginRoutes } from './login.ts';

/** A staff page's handler. */
type StaffHandler = (request: AdminRequest, params: Record<string, string>) => Promise<unknown>;

const FORM = { hidden: true, bodyTypes: [FORM_CONTENT_TYPE] } as const;
const PAGE = { hidden: true } as const;

/** Adds every admin route to `app`. */
export function addRoutes(app: VoltApp, site: Site): void {
  const p = site.prefix;

  /** Runs `handler` for an active staff user; sends others to the login page. */
  const staff =
    (handler: StaffHandler) =>
    async (ctx: AnyContext): Promise<unknown> => {
      const user = staffOf(ctx);
      if (!user) {
        const next = ctx.request.method === 'GET' ? ctx.request.url : `${p}/`;
        ctx
          .status(ctx.request.method === 'GET' ? 302 : 303)
          .header('location', `${p}/login?next=${encodeURIComponent(next)}`);
        return undefined;
      }
      const request = new AdminRequest(ctx, site, user);
      try {
        return await handler(request, (ctx.params ?? {}) as Record<string, string>);
      } catch (error) {
        if (!(error instanceof HttpError) || error.status >= 500) throw error;
        ctx.status(error.status);
        return request.page({
          title:
            error.status === 404
              ? 'Not found'
              : error.status === 403
                ? 'Permission denied'
                : 'Cannot do that',
          breadcrumbs: [['Home', `${p}/`], [String(error.status)]],
          body: html`<p>${error.detail ?? error.message}</p><p><a href="${p}/">Back to the dashboard</a></p>`,
        });
      }
    };

  addProblemPages(app, site);

  app.get(`${p}/static/:file`, PAGE, (ctx) => {
    const { css, js } = adminAssets();
    const file = (ctx.params as { file: string }).file;
    const asset = file === css.name ? css : file === js.name ? js : undefined;
    if (!asset) throw notFound();
    ctx.header('content-type', asset.type);
    ctx.header('cache-control', 'public, max-age=31536000, immutable');
    ctx.header('x-content-type-options', 'nosniff');
    return asset.body as never;
  });

  addLoginRoutes(app, site);

  const home = staff((request) => dashboard(request));
  app.get(`${p}`, PAGE, home);
  app.get(`${p}/`, PAGE, home);

  app.get(
    `${p}/:app`,
    PAGE,
    staff((request, params) => dashboard(request, params.app)),
  );
  app.get(
    `${p}/:app/:model`,
    PAGE,
    staff((request, params) => changeList(request, site.byPath(params.app!, params.model!))),
  );
  app.post(
    `${p}/:app/:model`,
    FORM,
    staff((request, params) => runAction(request, site.byPath(params.app!, params.model!))),
  );
  app.get(
    `${p}/:app/:model/export.csv`,
    PAGE,
    staff((request, params) => exportCsv(request, site.byPath(params.app!, params.model!))),
  );
  app.post(
    `${p}/:app/:model/settings`,
    FORM,
    staff((request, params) => saveListSettings(request, site.byPath(params.app!, params.model!))),
  );
  app.get(
    `${p}/:app/:model/autocomplete`,
    PAGE,
    staff((request, params) => autocomplete(request, site.byPath(params.app!, params.model!))),
  );
  const add = staff((request, params) =>
    changeForm(request, site.byPath(params.app!, params.model!), undefined),
  );
  app.get(`${p}/:app/:model/add`, PAGE, add);
  app.post(`${p}/:app/:model/add`, FORM, add);
  const change = staff((request, params) =>
    changeForm(request, site.byPath(params.app!, params.model!), params.key!),
  );
  app.get(`${p}/:app/:model/:key/change`, PAGE, change);
  app.post(`${p}/:app/:model/:key/change`, FORM, change);
  const remove = staff((request, params) =>
    deletePage(request, site.byPath(params.app!, params.model!), params.key!),
  );
  app.get(`${p}/:app/:model/:key/delete`, PAGE, remove);
  app.post(`${p}/:app/:model/:key/delete`, FORM, remove);
  app.get(
    `${p}/:app/:model/:key/history`,
    PAGE,
    staff((request, params) => historyPage(request, site.byPath(params.app!, params.model!), params.key!)),
  );
  app.post(
    `${p}/:app/:model/:key/history/:entry/revert`,
    FORM,
    staff((request, params) =>
      revertField(request, site.byPath(params.app!, params.model!), params.key!, params.entry!),
    ),
  );
  const password = staff((request, params) =>
    passwordForm(request, site.byPath(params.app!, params.model!), params.key!),
  );
  app.get(`${p}/:app/:model/:key/password`, PAGE, password);
  app.post(`${p}/:app/:model/:key/password`, FORM, password);
}

/**
 * A problem answered on an admin address before or outside the admin's handlers (a failed CSRF
 * check, a body too large, a server error) is shown as a page, as Django's admin does, not as
 * JSON: same status, same title and detail, escaped, styled by the admin's stylesheet.
 */
function addProblemPages(app: VoltApp, site: Site): void {
  const p = site.prefix;
  app.fastify.addHook('onSend', (request, reply, payload, done) => {
    const url = request.url;
    if (
      typeof payload !== 'string' ||
      !(url.startsWith(`${p}/`) || url === p || url.startsWith(`${p}?`)) ||
      !String(reply.getHeader('content-type') ?? '').startsWith('application/problem+json')
    ) {
      done(null, payload);
      return;
    }
    let problem: { title?: unknown; detail?: unknown; status?: unknown };
    try {
      problem = JSON.parse(payload) as typeof problem;
    } catch {
      done(null, payload);
      return;
    }
    const { css } = adminAssets();
    const title = typeof problem.title === 'string' ? problem.title : 'Error';
    const detail = typeof problem.detail === 'string' ? problem.detail : '';
    const again =
      reply.statusCode === 403 && /CSRF/u.test(detail)
        ? html`<p>The form was sent without this session’s token, or from another site. Go back, reload the page and send it again.</p>`
        : '';
    reply.header('content-type', 'text/html; charset=utf-8');
    done(
      null,
      html`<!doctype html>
<html lang="en" data-theme="${themeOf(request.headers)}">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><meta name="robots" content="noindex, nofollow">
<title>${title} | ${site.title}</title><link rel="stylesheet" href="${p}/static/${css.name}"></head>
<body class="admin login-page"><main id="content" class="login-box"><h1>${title}</h1><p>${detail}</p>${again}<p><a href="${p}/">Back to the dashboard</a></p></main></body>
</html>
`.toString(),
    );
  });
}

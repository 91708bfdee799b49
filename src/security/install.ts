/**
 * Puts the security layer on an app: one `request` hook, the first of the app, that sets the
 * security headers, then checks the request's host (its one `Host` header, and the authority
 * of an absolute-form target) against ALLOWED_HOSTS (so the 400 carries the headers too) and
 * refuses unsafe requests a browser sent for another site (`Sec-Fetch-Site`), plus the HTML
 * form body parser.
 */
import type { FastifyReply } from 'fastify';
import type { VoltApp } from '../http/app.ts';
import { HttpError } from '../http/errors.ts';
import { crossSiteCheck } from './fetch-metadata.ts';
import { installFormParser } from './form-body.ts';
import { type SecurityHeadersOptions, securityHeaders } from './headers.ts';
import { hostCheck, hostProblem } from './hosts.ts';

/** Options of {@link installSecurity}. */
export interface SecurityOptions {
  /** Overrides of the security headers; see {@link SecurityHeadersOptions}. */
  headers?: SecurityHeadersOptions;
}

/**
 * Installs the security headers, the Host check and the form parser on an app, through its
 * `request` hook. `volt()` installs it (as the `security` app, first); call it yourself only on a
 * `VoltApp` built with `new`.
 *
 * @example
 * ```ts
 * const app = new VoltApp();
 * installSecurity(app, { headers: { frameOptions: 'SAMEORIGIN' } });
 * ```
 */
export function installSecurity(app: VoltApp, options: SecurityOptions = {}): void {
  const headers = securityHeaders(app.settings, options.headers);
  // Names and values as two arrays: the hook is a plain loop, nothing built per request.
  const names = Object.keys(headers);
  const values = names.map((name) => headers[name]!);
  const count = names.length;
  const allowedHost = hostCheck(app.settings.allowedHosts);
  const setHeaders = (reply: FastifyReply) => {
    for (let i = 0; i < count; i++) reply.header(names[i]!, values[i]);
  };
  app.onRouterError((_request, reply) => setHeaders(reply));
  app.addConnectionHeaders(headers);
  // Checked once here, not by Node on every response.
  app.checkHeadersOnce(headers);
  const crossSite = crossSiteCheck(app.settings.csrfTrustedOrigins);
  app.on('request', (ctx) => {
    const { request } = ctx;
    setHeaders(ctx.reply);
    if (allowedHost !== undefined || request.headers.host === undefined) {
      const problem = hostProblem(request.raw, allowedHost);
      if (problem !== undefined) {
        // The host only: the URL may hold a secret (a reset token).
        request.log.warn({ host: request.headers.host?.slice(0, 255) }, 'Host not in ALLOWED_HOSTS');
        throw new HttpError(400, { code: 'VOLT_SECURITY_HOST_NOT_ALLOWED', detail: problem });
      }
    }
    const refused = crossSite(request);
    if (refused) throw refused;
  });
  installFormParser(app);
}

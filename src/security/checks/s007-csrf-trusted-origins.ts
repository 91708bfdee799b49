/** `security.S007`: CSRF_TRUSTED_ORIGINS lists https origins only. */
import { maskUrls } from '../../http/mask-url.ts';
import type { DeployCheck, Finding } from './types.ts';

/** A wildcard trusts every site; an http:// origin can be impersonated on the network. */
export const check: DeployCheck = {
  id: 'security.S007',
  title: 'CSRF_TRUSTED_ORIGINS are https origins',
  run: (settings) => {
    const findings: Array<Omit<Finding, 'id'>> = [];
    const fix = 'List exact https origins, e.g. CSRF_TRUSTED_ORIGINS=https://app.example.com';
    for (const entry of settings.csrfTrustedOrigins) {
      // An entry with a user and password in it is shown without them.
      const shown = maskUrls(entry);
      if (entry.includes('*')) {
        findings.push({
          level: 'error',
          message: `CSRF_TRUSTED_ORIGINS contains "${shown}": a wildcard lets other sites send unsafe requests with the user's session.`,
          fix,
        });
        continue;
      }
      let origin: string | undefined;
      try {
        origin = new URL(entry).origin;
      } catch {}
      if (origin === undefined || origin === 'null' || origin !== entry.replace(/\/$/, '')) {
        findings.push({
          level: 'error',
          message: `CSRF_TRUSTED_ORIGINS contains "${shown}", which is not an origin (scheme://host[:port], no user, path or query).`,
          fix,
        });
      } else if (origin.startsWith('http://')) {
        findings.push({
          level: 'error',
          message: `CSRF_TRUSTED_ORIGINS contains "${shown}": an http:// origin can be impersonated on the network.`,
          fix,
        });
      }
    }
    return findings;
  },
};

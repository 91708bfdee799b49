/**
 * The deployment checks `volt check --deploy` runs, in id order.
 */
import type { Settings } from '../../http/settings.ts';
import { check as s001 } from './s001-debug.ts';
import { check as s002 } from './s002-secret-key.ts';
import { check as s003 } from './s003-allowed-hosts.ts';
import { check as s004 } from './s004-env.ts';
import { check as s005 } from './s005-hsts.ts';
import { check as s006 } from './s006-session-cookie-secure.ts';
import { check as s007 } from './s007-csrf-trusted-origins.ts';
import { check as s008 } from './s008-docs.ts';
import { check as s009 } from './s009-site-url.ts';
import { check as s010 } from './s010-email-backend.ts';
import { check as s011 } from './s011-body-limit.ts';
import { check as s012 } from './s012-email-url.ts';
import { check as s013 } from './s013-default-from-email.ts';
import { check as s014 } from './s014-request-timeout.ts';
import { check as s015 } from './s015-json-limits.ts';
import { check as s016 } from './s016-trust-proxy.ts';
import type { DeployCheck, Finding } from './types.ts';

export type { CheckLevel, DeployCheck, Finding } from './types.ts';

/** Every deployment check, in id order. */
export const DEPLOY_CHECKS: readonly DeployCheck[] = [
  s001,
  s002,
  s003,
  s004,
  s005,
  s006,
  s007,
  s008,
  s009,
  s010,
  s011,
  s012,
  s013,
  s014,
  s015,
  s016,
];

/**
 * Runs the deployment checks on settings; answers every finding, errors first, in id order.
 *
 * @example
 * ```ts
 * const findings = runDeployChecks(app.settings);
 * if (findings.some((f) => f.level === 'error')) process.exit(1);
 * ```
 */
export function runDeployChecks(
  settings: Settings,
  checks: readonly DeployCheck[] = DEPLOY_CHECKS,
): Finding[] {
  const findings = checks.flatMap((check) =>
    check.run(settings).map((found) => ({ id: check.id, ...found })),
  );
  return findings.sort((a, b) => (a.level === b.level ? 0 : a.level === 'error' ? -1 : 1));
}

/** `security.S004`: VOLT_ENV=production, which turns on production defaults and refusals. */
import type { DeployCheck } from './types.ts';

/** Outside production, HSTS and secure cookies are off by default and weak settings are not refused. */
export const check: DeployCheck = {
  id: 'security.S004',
  title: 'VOLT_ENV is production',
  run: (settings) =>
    settings.env === 'production'
      ? []
      : [
          {
            level: 'warning',
            message: `VOLT_ENV is ${settings.env}: production defaults (HSTS, secure cookies) and the startup refusals of weak settings are off.`,
            fix: 'Set VOLT_ENV=production where the app is deployed.',
          },
        ],
};

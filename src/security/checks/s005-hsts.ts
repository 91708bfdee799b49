/** `security.S005`: Strict-Transport-Security for at least a year. */
import { type DeployCheck, ONE_YEAR } from './types.ts';

/** Without HSTS a browser's first request can go over plain HTTP, where it can be intercepted. */
export const check: DeployCheck = {
  id: 'security.S005',
  title: 'HSTS is on for a year or more',
  run: ({ hstsSeconds }) => {
    const fix = `Serve over HTTPS only and set HSTS_SECONDS=${ONE_YEAR} (one year; the production default).`;
    if (hstsSeconds === 0)
      return [
        {
          level: 'warning',
          message:
            'HSTS_SECONDS is 0: no Strict-Transport-Security header, so browsers may still use plain HTTP.',
          fix,
        },
      ];
    if (hstsSeconds < ONE_YEAR)
      return [
        {
          level: 'warning',
          message: `HSTS_SECONDS is ${hstsSeconds}, under a year: browsers forget to insist on HTTPS sooner.`,
          fix,
        },
      ];
    return [];
  },
};

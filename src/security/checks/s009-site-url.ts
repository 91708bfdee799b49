/** `security.S009`: SITE_URL is an https origin, for links sent by mail. */
import { maskUrls } from '../../http/mask-url.ts';
import type { DeployCheck } from './types.ts';

/** Password-reset and confirmation links are built from SITE_URL; without it, from the request. */
export const check: DeployCheck = {
  id: 'security.S009',
  title: 'SITE_URL is an https origin',
  run: ({ siteUrl }) => {
    const fix = 'Set SITE_URL to the public https origin, e.g. SITE_URL=https://shop.example.com';
    if (siteUrl === '')
      return [
        {
          level: 'error',
          message:
            'SITE_URL is not set: links sent by mail (password resets) have no trusted origin to point to.',
          fix,
        },
      ];
    if (!siteUrl.startsWith('https://'))
      return [
        {
          level: 'error',
          message: `SITE_URL is ${maskUrls(siteUrl)}: links sent by mail would send tokens over plain HTTP.`,
          fix,
        },
      ];
    return [];
  },
};

/** `security.S003`: ALLOWED_HOSTS names the site's hosts, not `*`, not nothing. */
import type { DeployCheck } from './types.ts';

/** `*` lets a forged Host header into the links the app builds; an empty list refuses every request. */
export const check: DeployCheck = {
  id: 'security.S003',
  title: 'ALLOWED_HOSTS names the hosts',
  run: (settings) => {
    const fix =
      'Set ALLOWED_HOSTS to the names the site answers to, e.g. ALLOWED_HOSTS=shop.example.com,.example.com';
    if (settings.allowedHosts.includes('*'))
      return [
        {
          level: 'error',
          message:
            'ALLOWED_HOSTS contains "*": a forged Host header reaches the links the app builds (password-reset mails, redirects).',
          fix,
        },
      ];
    if (settings.allowedHosts.length === 0)
      return [
        { level: 'error', message: 'ALLOWED_HOSTS is empty: every request is refused with a 400.', fix },
      ];
    return [];
  },
};

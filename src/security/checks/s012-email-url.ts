/** `security.S012`: the SMTP backend knows its server. */
import type { DeployCheck } from './types.ts';

/** EMAIL_BACKEND=smtp without EMAIL_URL fails on the first mail, at the worst moment. */
export const check: DeployCheck = {
  id: 'security.S012',
  title: 'EMAIL_URL is set for SMTP',
  run: ({ emailBackend, emailUrl }) =>
    emailBackend === 'smtp' && emailUrl === ''
      ? [
          {
            level: 'error',
            message: 'EMAIL_BACKEND is smtp but EMAIL_URL is not set: no mail can be sent.',
            fix: 'Set EMAIL_URL, e.g. smtps://user:password@mail.example.com:465',
          },
        ]
      : emailBackend === 'smtp' && emailUrl.startsWith('smtp://') && !/[?&](secure|starttls)=/.test(emailUrl)
        ? [
            {
              level: 'warning',
              message:
                'EMAIL_URL uses smtp:// : mail (with reset tokens) may travel unencrypted to the server.',
              fix: 'Use smtps:// (TLS from the start) or a server that requires STARTTLS.',
            },
          ]
        : [],
};

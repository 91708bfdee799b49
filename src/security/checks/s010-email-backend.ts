/** `security.S010`: mail goes out in production. */
import type { DeployCheck } from './types.ts';

/** The console and memory backends send nothing: users never get their reset mails. */
export const check: DeployCheck = {
  id: 'security.S010',
  title: 'EMAIL_BACKEND sends mail',
  run: ({ emailBackend }) =>
    emailBackend === 'console' || emailBackend === 'memory'
      ? [
          {
            level: 'warning',
            message: `EMAIL_BACKEND is ${emailBackend}: mail (password resets) is ${emailBackend === 'console' ? 'printed to the log, with its tokens' : 'kept in memory'}, never sent.`,
            fix: 'Set EMAIL_BACKEND=smtp and EMAIL_URL=smtps://user:password@mail.example.com:465',
          },
        ]
      : [],
};

/** `security.S002`: SECRET_KEY set, long and random, not the generated development key. */
import { secretKeyWeakness } from '../../http/settings.ts';
import type { DeployCheck } from './types.ts';

/** A weak key lets anyone forge what the app signs (sessions, reset tokens). */
export const check: DeployCheck = {
  id: 'security.S002',
  title: 'SECRET_KEY is strong',
  run: (settings) => {
    const weakness = secretKeyWeakness(settings.secretKey);
    return weakness
      ? [
          {
            level: 'error',
            message: `${weakness}: whoever guesses it can forge sessions, reset tokens and other signed values.`,
            fix: 'Set SECRET_KEY to a random value of 50+ characters, e.g. the output of: node -e "console.log(crypto.randomBytes(48).toString(\'base64url\'))"',
          },
        ]
      : [];
  },
};

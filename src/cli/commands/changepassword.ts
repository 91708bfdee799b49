/**
 * `volt changepassword [username]`: sets a user's password, asked twice (not echoed), on the
 * user model of the app's auth app and the app's database. That auth app's password-change
 * hooks run (they end the user's sessions), and the user's API tokens are revoked
 * unless `--keep-api-tokens` says otherwise, as a password change through `/auth/password` does.
 */
import { userInfo } from 'node:os';
import { revokeUserTokens } from '../../auth/tokens.ts';
import { query } from '../../orm/query/queryset.ts';
import type { Command, FlagSpec } from '../command.ts';
import { CliError } from '../errors.ts';
import { PROJECT_FLAGS } from '../project.ts';
import { askNewPassword, Prompter, withUserModel } from './createsuperuser.ts';

const FLAGS = {
  'keep-api-tokens': {
    type: 'boolean',
    description: "Keep the user's API tokens working (by default a password change revokes them)",
  },
  app: PROJECT_FLAGS.app,
  database: PROJECT_FLAGS.database,
} as const satisfies Record<string, FlagSpec>;

const ATTEMPTS = 3;

function currentOsUser(): string {
  try {
    return userInfo().username;
  } catch {
    return '';
  }
}

/** `volt changepassword`. */
export const command: Command<typeof FLAGS> = {
  usage: 'volt changepassword [username] [options]',
  description:
    "Changes a user's password in the project's user model: asks the new password twice (not echoed) " +
    `and checks it with the password validators; gives up after ${ATTEMPTS} attempts. Without a ` +
    'username, the user named like the current system user. The password-change hooks run (the ' +
    "user's sessions end) and the user's API tokens are revoked unless --keep-api-tokens is given.",
  args: [{ name: 'username', description: 'The user (default: the current system user name)' }],
  flags: FLAGS,
  examples: [
    'volt changepassword admin',
    'volt changepassword admin --keep-api-tokens',
    'volt changepassword admin --database postgres://localhost/app',
  ],
  async run({ args, flags, cwd, stdout, stderr }) {
    const username = args[0] ?? currentOsUser();
    return withUserModel({ cwd, app: flags.app, database: flags.database }, async (model, db, users) => {
      const user = await query(db, model)
        .filter({ username } as never)
        .first();
      if (!user) throw new CliError(`The user '${username}' does not exist`);
      stdout(`Changing password for user '${username}'\n`);
      const prompter = new Prompter(process.stdin, stdout);
      try {
        const password = await askNewPassword(prompter, stderr, user as Record<string, unknown>, {
          bypass: false,
          attempts: ATTEMPTS,
          onMismatch: 'Passwords do not match. Please try again.',
        });
        if (password === undefined)
          throw new CliError(`Aborting password change for user '${username}' after ${ATTEMPTS} attempts`);
        await db.transaction(async (tx) => {
          await users.setPassword(tx, user as never, password);
          if (!flags['keep-api-tokens']) {
            const revoked = await revokeUserTokens(tx, String(user[model.meta.pk.attribute as never]));
            if (revoked > 0)
              stdout(`Revoked ${revoked} API token${revoked === 1 ? '' : 's'} of '${username}'.\n`);
          }
        });
      } finally {
        prompter.close();
      }
      stdout(`Password changed successfully for user '${username}'.\n`);
      return 0;
    });
  },
};

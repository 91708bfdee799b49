/**
 * `volt createsuperuser`: creates a user with every permission (staff and superuser), on the
 * project's user model and database. Interactive by default; `--no-input` takes everything from
 * flags and `VOLT_SUPERUSER_*` variables, for scripts and containers.
 */
import { createInterface, type Interface } from 'node:readline';
import { Writable } from 'node:stream';
import type { Auth } from '../../auth/auth.ts';
import type { UserModel } from '../../auth/models.ts';
import { validatePassword } from '../../auth/password-validators.ts';
import { createUser } from '../../auth/passwords.ts';
import type { Database } from '../../orm/database.ts';
import { tableExists } from '../../orm/migrations/recorder.ts';
import { query } from '../../orm/query/queryset.ts';
import { validateInput } from '../../orm/validation.ts';
import type { Command, FlagSpec, Write } from '../command.ts';
import { CliError } from '../errors.ts';
import { PROJECT_FLAGS, type Project, withProjectDatabase } from '../project.ts';

const FLAGS = {
  app: PROJECT_FLAGS.app,
  database: PROJECT_FLAGS.database,
  username: { type: 'string', valueName: 'NAME', description: 'The username (asked when not given)' },
  email: { type: 'string', valueName: 'EMAIL', description: 'The email address (asked when not given)' },
  'no-input': {
    type: 'boolean',
    description:
      'Ask nothing: the username, email and password come from the flags and VOLT_SUPERUSER_USERNAME, ' +
      'VOLT_SUPERUSER_EMAIL, VOLT_SUPERUSER_PASSWORD',
  },
} as const satisfies Record<string, FlagSpec>;

/**
 * Questions on the command line, answered line by line from standard input. On a terminal,
 * hidden answers (passwords) are not echoed; from a pipe, lines are read as they come.
 */
export class Prompter {
  readonly #output: Write;
  readonly #muted: { on: boolean } = { on: false };
  readonly #readline: Interface;
  readonly #lines: AsyncIterator<string>;
  #cancelled = false;

  constructor(input: NodeJS.ReadableStream & { isTTY?: boolean }, output: Write) {
    this.#output = output;
    const terminal = input.isTTY === true;
    const muted = this.#muted;
    // On a terminal readline echoes what is typed through this stream: muted for passwords.
    const echo = new Writable({
      write(chunk, _encoding, done) {
        if (!muted.on) output(String(chunk));
        done();
      },
    });
    this.#readline = createInterface({ input, output: echo, terminal });
    // Ctrl+C on a terminal (raw mode: no signal reaches the process): stop asking.
    this.#readline.on('SIGINT', () => {
      this.#cancelled = true;
      output('\n');
      this.#readline.close();
    });
    this.#lines = this.#readline[Symbol.asyncIterator]();
  }

  /** Prints `question` and resolves to the next line typed (without its newline). */
  async ask(question: string): Promise<string> {
    this.#output(question);
    const next = await this.#lines.next();
    if (next.done && this.#cancelled) throw new CliError('Cancelled; nothing was changed.');
    if (next.done)
      throw new CliError(
        `The input ended before '${question.trim()}' was answered (for scripts, use --no-input)`,
      );
    return next.value;
  }

  /** As {@link ask}, without echoing the answer on a terminal. */
  async askHidden(question: string): Promise<string> {
    this.#muted.on = true;
    try {
      return await this.ask(question);
    } finally {
      this.#muted.on = false;
      this.#output('\n'.repeat(this.#readline.terminal ? 1 : 0));
    }
  }

  /** `true` for y/yes, `false` for anything else (the default, N). */
  async confirm(question: string): Promise<boolean> {
    return /^y(es)?$/iu.test((await this.ask(question)).trim());
  }

  close(): void {
    this.#readline.close();
  }
}

/** The auth app the project's app installs; a `CliError` naming the fix when there is none. */
function authOf(project: Project): Auth {
  const found = project.apps.find((installed) => installed.name === 'auth' && 'userModel' in installed) as
    | Auth
    | undefined;
  if (!found)
    throw new CliError(
      `${project.appPath} installs no auth app: add auth() to volt({ apps: [...] }) (the user model comes from it)`,
    );
  return found;
}

/**
 * The user model of the app's auth app and the database, its table checked; closes the
 * database after `fn`.
 */
export function withUserModel<T>(
  options: { cwd: string; app?: string | undefined; database?: string | undefined },
  fn: (model: UserModel, db: Database, users: Auth) => Promise<T>,
): Promise<T> {
  return withProjectDatabase(options, authOf, async (users, db) => {
    const model = users.userModel;
    for (const table of [model.meta.table, model.meta.relation('groups').target.meta.table])
      if (!(await tableExists(db, table)))
        throw new CliError(
          `The table ${table} of ${model.meta.label} does not exist yet: run volt migrate first`,
        );
    return fn(model, db, users);
  });
}

/** The problem with a username or email, or `undefined`. */
export async function fieldProblem(
  db: Database,
  model: UserModel,
  name: 'username' | 'email',
  value: string,
): Promise<string | undefined> {
  if (name === 'username' && !value) return 'This field cannot be blank.';
  if (name === 'email' && !value) return undefined;
  const errors = validateInput(model, { [name]: value }, { partial: true });
  if (errors.length) return errors.map((e) => e.msg).join(' ');
  if (
    name === 'username' &&
    (await query(db, model)
      .filter({ username: value } as never)
      .exists())
  )
    return 'That username is already taken.';
  return undefined;
}

/** Asks for a password twice until both match, are not blank, and pass validation or the user bypasses it. */
export async function askNewPassword(
  prompter: Prompter,
  stderr: Write,
  user: Record<string, unknown>,
  options: { bypass: boolean; attempts?: number; onMismatch?: string } = { bypass: true },
): Promise<string | undefined> {
  const attempts = options.attempts ?? Number.POSITIVE_INFINITY;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    const password = await prompter.askHidden('Password: ');
    const again = await prompter.askHidden('Password (again): ');
    if (password !== again) {
      stderr(`${options.onMismatch ?? "Error: Your passwords didn't match."}\n`);
      continue;
    }
    if (password.trim() === '') {
      stderr("Error: Blank passwords aren't allowed.\n");
      continue;
    }
    const problems = validatePassword(password, { user });
    if (problems.length === 0) return password;
    for (const problem of problems) stderr(`${problem}\n`);
    if (
      options.bypass &&
      (await prompter.confirm('Bypass password validation and create user anyway? [y/N]: '))
    )
      return password;
  }
  return undefined;
}

async function createSuperuser(
  db: Database,
  model: UserModel,
  input: { username: string; email: string; password: string },
): Promise<void> {
  try {
    await createUser(db, model, {
      username: input.username,
      ...(input.email ? { email: input.email } : {}),
      password: input.password,
      isStaff: true,
      isSuperuser: true,
      isActive: true,
    });
  } catch (error) {
    const errors = (error as { errors?: { loc: unknown[]; msg: string }[] }).errors;
    if (errors?.length)
      throw new CliError(
        `Cannot create the superuser: ${errors.map((e) => `${e.loc.join('.')}: ${e.msg}`).join('; ')}`,
        { cause: error },
      );
    throw error;
  }
}

/** `volt createsuperuser`. */
export const command: Command<typeof FLAGS> = {
  usage: 'volt createsuperuser [options]',
  description:
    "Creates a superuser (staff, with every permission) in the user model of the app's auth app (auth.User, or " +
    'the one given to auth({ user })). Asks the username, the email address and the password twice ' +
    '(not echoed), checks the password with the password validators and asks before accepting one ' +
    'that fails them. With --no-input it asks nothing: the values come from --username, --email and ' +
    'the VOLT_SUPERUSER_USERNAME, VOLT_SUPERUSER_EMAIL and VOLT_SUPERUSER_PASSWORD variables, and a ' +
    'password that fails validation is refused. Run volt migrate first.',
  args: [],
  flags: FLAGS,
  examples: [
    'volt createsuperuser',
    'volt createsuperuser --username admin --email admin@example.com',
    'VOLT_SUPERUSER_USERNAME=admin VOLT_SUPERUSER_PASSWORD=… volt createsuperuser --no-input',
  ],
  async run({ flags, cwd, stdout, stderr }) {
    return withUserModel({ cwd, app: flags.app, database: flags.database }, async (model, db) => {
      if (flags['no-input']) {
        const username = flags.username ?? process.env.VOLT_SUPERUSER_USERNAME ?? '';
        const email = flags.email ?? process.env.VOLT_SUPERUSER_EMAIL ?? '';
        const password = process.env.VOLT_SUPERUSER_PASSWORD ?? '';
        const missing = [
          username ? '' : 'the username (--username or VOLT_SUPERUSER_USERNAME)',
          password ? '' : 'the password (VOLT_SUPERUSER_PASSWORD)',
        ].filter(Boolean);
        if (missing.length) throw new CliError(`--no-input needs ${missing.join(' and ')}`);
        for (const [name, value] of [
          ['username', username],
          ['email', email],
        ] as const) {
          const problem = await fieldProblem(db, model, name, value);
          if (problem) throw new CliError(`Error: ${name} '${value}': ${problem}`);
        }
        const problems = validatePassword(password, { user: { username, email } });
        if (problems.length)
          throw new CliError(`The password of VOLT_SUPERUSER_PASSWORD is refused: ${problems.join(' ')}`);
        await createSuperuser(db, model, { username, email, password });
        stdout('Superuser created successfully.\n');
        return 0;
      }
      const prompter = new Prompter(process.stdin, stdout);
      try {
        const ask = async (name: 'username' | 'email', label: string, given: string | undefined) => {
          let value = given;
          for (;;) {
            value ??= (await prompter.ask(`${label}: `)).trim();
            const problem = await fieldProblem(db, model, name, value);
            if (!problem) return value;
            stderr(`Error: ${problem}\n`);
            value = undefined;
          }
        };
        const username = await ask('username', 'Username', flags.username);
        const email = await ask('email', 'Email address', flags.email);
        const password = await askNewPassword(prompter, stderr, { username, email });
        await createSuperuser(db, model, { username, email, password: password! });
        stdout('Superuser created successfully.\n');
        return 0;
      } finally {
        prompter.close();
      }
    });
  },
};

/**
 * The two ways a `volt` command fails: the user typed something wrong (exit 2), or the work
 * itself failed (exit 1). Both print their message only, never a stack trace.
 */

/** A mistake on the command line: unknown command or flag, bad flag value. Exits with 2. */
export class UsageError extends Error {
  /** Stable code: `VOLT_CLI_USAGE`. */
  readonly code = 'VOLT_CLI_USAGE';
  readonly exitCode = 2;
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** A failure the user can fix without reading a stack trace (missing app module, port in use). Exits with 1. */
export class CliError extends Error {
  /** Stable code: `VOLT_CLI_FAILED`. */
  readonly code = 'VOLT_CLI_FAILED';
  readonly exitCode = 1;
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'CliError';
  }
}

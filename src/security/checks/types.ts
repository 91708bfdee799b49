/**
 * What a deployment check is and what it finds. Each rule lives in its own file named after
 * its id (`s001-debug.ts` is `security.S001`), like Django's `check --deploy`.
 */
import type { Settings } from '../../http/settings.ts';

/** How bad a finding is: an error fails `volt check`, a warning only with `--fail-level warning`. */
export type CheckLevel = 'error' | 'warning';

/** One problem a check found. */
export interface Finding {
  /** Stable id, e.g. `security.S001`, for documentation and silencing in scripts. */
  id: string;
  level: CheckLevel;
  /** What is wrong and why it matters. */
  message: string;
  /** How to fix it. */
  fix: string;
}

/** A deployment check: reads the settings and answers what is wrong (nothing when all is well). */
export interface DeployCheck {
  /** e.g. `security.S001`. */
  id: string;
  /** One line naming what the check looks at. */
  title: string;
  run(settings: Settings): Array<Omit<Finding, 'id'>>;
}

/** One year in seconds: the HSTS duration browsers' preload lists ask for. */
export const ONE_YEAR = 31_536_000;

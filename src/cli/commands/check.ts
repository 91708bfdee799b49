/**
 * `volt check [--deploy]`: the basic checks (the settings load, the app imports, its routes
 * and OpenAPI document build) and, with `--deploy`, the deployment checks of
 * `src/security/checks/` on the settings the app would run with.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseEnv } from 'node:util';
import type { AppCheck } from '../../apps/define-app.ts';
import type { VoltApp } from '../../http/app.ts';
import { maskUrls } from '../../http/mask-url.ts';
import {
  loadSettings,
  type Settings,
  SettingsError,
  type SettingsProblem,
  type SettingsProblemCode,
} from '../../http/settings.ts';
import { openapiDocument } from '../../openapi/openapi.ts';
import { DEPLOY_CHECKS, type Finding, runDeployChecks } from '../../security/checks/index.ts';
import type { App } from '../../volt.ts';
import type { Command, FlagSpec } from '../command.ts';
import { UsageError } from '../errors.ts';
import { displayPath, loadApp, resolveAppPath, voltSetting } from '../load-app.ts';

const FLAGS = {
  deploy: { type: 'boolean', description: 'Also run the deployment (security) checks' },
  app: {
    type: 'string',
    valueName: 'FILE',
    description: 'The app module (default: "volt.app" in package.json, else app.ts when it exists)',
  },
  'fail-level': {
    type: 'string',
    valueName: 'LEVEL',
    description: 'Exit 1 on findings of this level or worse: error (default) or warning',
  },
} as const satisfies Record<string, FlagSpec>;

// Stands in for the secret key while the other settings are read; never reported or used.
const PLACEHOLDER_KEY = `check-placeholder-${crypto.randomUUID()}-${crypto.randomUUID()}`;

// The refusals of production settings, by code, and the deployment check that reports the same problem.
const REFUSALS: Partial<Record<SettingsProblemCode, string>> = {
  VOLT_SETTINGS_DEBUG_IN_PRODUCTION: 'security.S001',
  VOLT_SETTINGS_WEAK_SECRET_KEY: 'security.S002',
  VOLT_SETTINGS_WILDCARD_HOST: 'security.S003',
};

/** A settings finding and the problem it reports (to say a problem found twice once). */
type SettingsFinding = Finding & { problem: SettingsProblem };

function settingsFindings(error: SettingsError, where: string): SettingsFinding[] {
  return error.issues.map((problem) => ({
    id: REFUSALS[problem.code] ?? 'settings.E001',
    level: 'error',
    message: `${where}: ${problem.message}`,
    fix: 'Correct the value in the environment or .env (or the options given to volt()).',
    problem,
  }));
}

function sameProblem(a: SettingsProblem, b: SettingsProblem): boolean {
  return a.code === b.code && a.setting === b.setting && a.message === b.message;
}

/** The finding without the problem it was made from. */
function finding({ problem: _, ...rest }: SettingsFinding): Finding {
  return rest;
}

/**
 * The settings from the environment and `.env`, read the way the app reads them but without
 * refusing: production's refusals (DEBUG on, a weak key, `*` hosts) are left to the checks.
 */
function environmentSettings(cwd: string): { settings?: Settings; findings: SettingsFinding[] } {
  const file = join(cwd, '.env');
  const vars: Record<string, string | undefined> = {
    ...(existsSync(file) ? parseEnv(readFileSync(file, 'utf8')) : {}),
    ...process.env,
  };
  try {
    // Production defaults (HSTS, secure cookies) with the refused values neutralised…
    const settings = loadSettings({
      env: vars,
      envFile: false,
      overrides: { debug: false, secretKey: PLACEHOLDER_KEY, allowedHosts: [] },
    });
    // …and those values as they are.
    const asIs = loadSettings({ env: vars, envFile: false, overrides: { env: 'development' } });
    return {
      settings: {
        ...settings,
        debug: asIs.debug,
        allowedHosts: asIs.allowedHosts,
        secretKey: vars.SECRET_KEY ?? '',
      },
      findings: [],
    };
  } catch (error) {
    if (error instanceof SettingsError) return { findings: settingsFindings(error, 'settings') };
    throw error;
  }
}

function appPathOf(flag: string | undefined, cwd: string): string | undefined {
  if (flag !== undefined) return resolveAppPath(flag, cwd);
  // Without --app, an app module is checked when one is configured or app.ts exists.
  const configured = voltSetting(cwd, 'app', 'src/app.ts');
  if (configured !== undefined) return resolveAppPath(configured, cwd);
  return existsSync(join(cwd, 'app.ts')) ? resolveAppPath(undefined, cwd) : undefined;
}

/** Runs installed apps' rules; a rule that throws is a finding of its own. */
async function runAppChecks(checks: readonly AppCheck[], app: VoltApp): Promise<Finding[]> {
  const findings: Finding[] = [];
  for (const check of checks) {
    try {
      for (const found of await check.run(app)) findings.push({ id: check.id, ...found });
    } catch (error) {
      findings.push({
        id: check.id,
        level: 'error',
        message: `The check ${check.id} (${check.title}) failed: ${maskUrls((error as Error).message)}`,
        fix: 'Fix the check or what it reads.',
      });
    }
  }
  return findings;
}

function format(findings: readonly Finding[]): string {
  return findings.map((f) => `${f.id} [${f.level}] ${f.message}\n  fix: ${f.fix}\n`).join('');
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** `volt check`. */
export const command: Command<typeof FLAGS> = {
  usage: 'volt check [options]',
  description:
    'Checks that the settings load, the app module imports and its routes and OpenAPI document build. ' +
    'With --deploy, also runs the deployment checks (security.S001…) on the settings the app runs with: ' +
    "the app's own when the app module is found, else those of the environment and .env; the installed " +
    "apps' own rules run too. Prints one " +
    'line per finding with its fix; exits 1 on an error (or on a warning with --fail-level warning).',
  args: [],
  flags: FLAGS,
  examples: [
    'volt check',
    'VOLT_ENV=production volt check --deploy',
    'volt check --deploy --fail-level warning',
  ],
  async run({ flags, cwd, stdout }) {
    const failLevel = flags['fail-level'] ?? 'error';
    if (failLevel !== 'error' && failLevel !== 'warning')
      throw new UsageError(`--fail-level must be error or warning, got "${failLevel}"`);
    let findings: Finding[] = [];
    const notes: string[] = [];
    // The installed apps' rules, once the app module is loaded (the security app's are the deployment checks).
    let appChecks: AppCheck[] | undefined;
    let loadedApp: VoltApp | undefined;

    const fromEnvironment = environmentSettings(cwd);
    findings.push(...fromEnvironment.findings.map(finding));
    let settings = fromEnvironment.settings;

    const appPath = appPathOf(flags.app, cwd);
    if (appPath === undefined) {
      notes.push(
        'No app module (app.ts, "volt.app" or --app): checked the settings of the environment and .env.',
      );
    } else {
      const shown = displayPath(appPath, cwd);
      let app: VoltApp | undefined;
      try {
        app = (await loadApp(appPath, cwd)).app;
        loadedApp = app;
      } catch (error) {
        if (error instanceof SettingsError) {
          // The same bad value in the environment was reported already.
          const fresh = settingsFindings(error, `${shown} refused its settings`).filter(
            (f) => !fromEnvironment.findings.some((seen) => sameProblem(seen.problem, f.problem)),
          );
          findings.push(...fresh.map(finding));
        } else
          findings.push({
            id: 'app.E001',
            level: 'error',
            // The app's own error may quote a setting, such as a URL with its password.
            message: `${shown} failed to import: ${maskUrls((error as Error).message)}`,
            fix: 'Run the app (volt start) to see the full error.',
          });
      }
      if (app) {
        settings = app.settings;
        // A bare VoltApp has no installed apps; a composed one lists their rules.
        appChecks = (app as Partial<Pick<App, 'checks'>>).checks?.() ?? [];
        try {
          openapiDocument(app);
          notes.push(
            `${shown}: imported, ${plural(app.routes.length, 'route')}, the OpenAPI document builds.`,
          );
        } catch (error) {
          findings.push({
            id: 'app.E002',
            level: 'error',
            message: `${shown}: the OpenAPI document cannot be built: ${maskUrls((error as Error).message)}`,
            fix: 'Fix the route declaration named in the message.',
          });
        }
      }
    }

    if (appChecks && loadedApp) {
      const own = appChecks.filter((check) => !check.deploy);
      findings.push(...(await runAppChecks(own, loadedApp)));
      if (own.length > 0) notes.push(`Ran ${plural(own.length, 'check')} of the installed apps.`);
    }
    if (flags.deploy) {
      if (appChecks && loadedApp) {
        const rules = appChecks.filter((check) => check.deploy);
        const deploy = await runAppChecks(rules, loadedApp);
        const ids = new Set(deploy.map((f) => f.id));
        findings = findings.filter((f) => !ids.has(f.id)).concat(deploy);
        notes.push(`Ran ${plural(rules.length, 'deployment check')} (VOLT_ENV=${loadedApp.settings.env}).`);
      } else if (settings) {
        const deploy = runDeployChecks(settings);
        // A refusal reported at import and the check finding the same problem: say it once.
        const ids = new Set(deploy.map((f) => f.id));
        findings = findings.filter((f) => !ids.has(f.id)).concat(deploy);
        notes.push(`Ran ${plural(DEPLOY_CHECKS.length, 'deployment check')} (VOLT_ENV=${settings.env}).`);
      } else {
        notes.push('The deployment checks did not run: the settings do not load.');
      }
    } else {
      notes.push('Basic checks only; run volt check --deploy for the deployment (security) checks.');
    }

    findings.sort((a, b) => (a.level === b.level ? 0 : a.level === 'error' ? -1 : 1));
    const errors = findings.filter((f) => f.level === 'error').length;
    const warnings = findings.length - errors;
    let out = format(findings);
    if (findings.length > 0) out += '\n';
    out += notes.map((note) => `${note}\n`).join('');
    out +=
      findings.length === 0
        ? 'System check identified no issues.\n'
        : `System check identified ${plural(errors, 'error')} and ${plural(warnings, 'warning')}.\n`;
    stdout(out);
    return errors > 0 || (failLevel === 'warning' && warnings > 0) ? 1 : 0;
  },
};

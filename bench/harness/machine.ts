/**
 * What the numbers were measured on: CPU, cores, and every server's version.
 */
import { readFileSync } from 'node:fs';
import { availableParallelism, release } from 'node:os';
import { loadClockTicks } from './cpu.ts';
import { PYTHON } from './peers.ts';
import { capture } from './processes.ts';

/** The machine and software versions of a run. */
export interface Machine {
  cpuModel: string;
  cores: number;
  kernel: string;
  node: string;
  versions: Record<string, string>;
}

function cpuModel(): string {
  try {
    const match = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'));
    return match?.[1]?.trim() ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

function packageVersion(name: string): string {
  try {
    return (JSON.parse(readFileSync(`node_modules/${name}/package.json`, 'utf8')) as { version: string })
      .version;
  } catch {
    return 'not installed';
  }
}

const PYTHON_PROBE = `
import importlib, json, platform
out = {"python": platform.python_version()}
for name in ("fastapi", "starlette", "pydantic", "uvicorn", "uvloop", "httptools", "django", "gunicorn"):
    try:
        module = importlib.import_module(name)
        version = getattr(module, "__version__", None) or getattr(module, "VERSION", None)
        if name == "django":
            version = module.get_version()
        out[name] = str(version)
    except Exception:
        out[name] = "not installed"
print(json.dumps(out))
`;

/** Collects the machine description (never throws; unknowns say so). */
export async function describeMachine(): Promise<Machine> {
  const versions: Record<string, string> = {
    fastify: packageVersion('fastify'),
    typebox: packageVersion('typebox'),
    ajv: packageVersion('ajv'),
    'fast-json-stringify': packageVersion('fast-json-stringify'),
  };
  try {
    Object.assign(
      versions,
      JSON.parse(await capture(PYTHON, ['-c', PYTHON_PROBE])) as Record<string, string>,
    );
  } catch {
    versions.python = 'not available';
  }
  try {
    // Default format: package, tab, version.
    const debianVersions = await capture('dpkg-query', ['-W', 'wrk', 'python3-httptools']);
    for (const line of debianVersions.trim().split('\n')) {
      const [pkg, version] = line.split('\t');
      if (pkg === 'wrk' && version) versions.wrk = version;
      if (pkg === 'python3-httptools' && version) versions.httptools = version;
    }
  } catch {
    versions.wrk ??= 'unknown';
  }
  return {
    cpuModel: cpuModel(),
    cores: availableParallelism(),
    kernel: release(),
    node: process.version,
    versions,
  };
}

/** The commit the run measured, and whether src/ or examples/ had uncommitted changes. */
export async function describeRevision(): Promise<{ commit: string; dirty: boolean }> {
  try {
    const commit = (await capture('git', ['rev-parse', '--short', 'HEAD'])).trim();
    const status = await capture('git', ['status', '--porcelain', '--', 'src', 'examples']);
    return { commit, dirty: status.trim() !== '' };
  } catch {
    return { commit: 'unknown', dirty: false };
  }
}

/** Fails with `hint` when `name` is not installed (a command that merely exits non-zero is fine). */
export async function requireTool(name: string, args: string[], hint: string): Promise<void> {
  try {
    await capture(name, args);
  } catch (error) {
    // wrk -v exits non-zero after printing its version; only a missing binary is fatal.
    if ((error as NodeJS.ErrnoException).code === 'ENOENT')
      throw new Error(`${name} is not installed: ${hint}`);
  }
}

/**
 * What every benchmark runner does first: reads the clock rate, the machine and the revision
 * (before the servers start: that is the code they load), and logs the machine's line, with a
 * warning when servers and wrk would have to share a core.
 */
export async function startRun(
  log: (line: string) => void,
): Promise<{ machine: Machine; revision: { commit: string; dirty: boolean } }> {
  await loadClockTicks();
  const machine = await describeMachine();
  const revision = await describeRevision();
  log(
    `${machine.cpuModel}, ${machine.cores} cores, Node ${machine.node}, Fastify ${machine.versions.fastify}`,
  );
  if (machine.cores < 2)
    log('WARNING: fewer than 2 cores; servers and wrk share a core, figures are not comparable');
  return { machine, revision };
}

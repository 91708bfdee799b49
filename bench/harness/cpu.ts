/**
 * CPU time a server process tree used, read from /proc. Requests per second move with
 * whatever else the machine runs; CPU time per request moves much less, so the report
 * shows both.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { capture } from './processes.ts';

let ticksPerSecond: number | undefined;

/** Reads the clock-tick rate of /proc's CPU times (usually 100). */
export async function loadClockTicks(): Promise<void> {
  try {
    ticksPerSecond = Number((await capture('getconf', ['CLK_TCK'])).trim()) || 100;
  } catch {
    ticksPerSecond = 100;
  }
}

/** The clock-tick rate of /proc's CPU times, once {@link loadClockTicks} ran (else 100). */
export function clockTicks(): number {
  return ticksPerSecond ?? 100;
}

interface ProcStat {
  ppid: number;
  userTicks: number;
  systemTicks: number;
}

/** CPU milliseconds, in user space and in the kernel. */
export interface CpuTime {
  userMs: number;
  systemMs: number;
}

function readStat(pid: number): ProcStat | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces; the fields after it are fixed.
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return { ppid: Number(fields[1]), userTicks: Number(fields[11]), systemTicks: Number(fields[12]) };
  } catch {
    return undefined;
  }
}

/**
 * CPU time used so far by `pid` and its live descendants (gunicorn's worker is a child of
 * its master). `undefined` without /proc.
 */
export function cpuTime(pid: number): CpuTime | undefined {
  const root = readStat(pid);
  if (!root) return undefined;
  const children = new Map<number, number[]>();
  const stats = new Map<number, ProcStat>([[pid, root]]);
  for (const entry of readdirSync('/proc')) {
    const child = Number(entry);
    if (!Number.isInteger(child) || child === pid) continue;
    const stat = readStat(child);
    if (!stat) continue;
    stats.set(child, stat);
    children.set(stat.ppid, [...(children.get(stat.ppid) ?? []), child]);
  }
  let user = 0;
  let system = 0;
  const queue = [pid];
  while (queue.length > 0) {
    const next = queue.pop()!;
    user += stats.get(next)?.userTicks ?? 0;
    system += stats.get(next)?.systemTicks ?? 0;
    queue.push(...(children.get(next) ?? []));
  }
  const msPerTick = 1000 / (ticksPerSecond ?? 100);
  return { userMs: user * msPerTick, systemMs: system * msPerTick };
}

/**
 * Waits until the server has stopped working (its CPU time still for 300 ms; at most 30 s).
 * A gunicorn sync worker still holds the requests queued on its listen backlog when wrk stops
 * (up to `--connections` of them, ~2 s of Django's admin at 64); without this wait it renders
 * them, for connections wrk has closed, during the next measurement, which then counts fewer
 * requests for more CPU.
 */
export async function waitForIdle(pid: number): Promise<void> {
  const deadline = Date.now() + 30_000;
  const total = () => {
    const t = cpuTime(pid);
    return t ? t.userMs + t.systemMs : undefined;
  };
  let before = total();
  while (before !== undefined && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 300));
    const after = total();
    if (after === undefined || after - before < 10) return;
    before = after;
  }
}

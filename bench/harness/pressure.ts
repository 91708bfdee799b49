/**
 * Linux pressure stall information for the CPU: the share of time some runnable task waited
 * for a core. On a shared machine it says how much other work competed with a measurement.
 */
import { readFileSync } from 'node:fs';

/** Microseconds some task has waited for a CPU since boot; `undefined` without PSI. */
export function cpuStallUs(): number | undefined {
  try {
    const match = /^some .*total=(\d+)/m.exec(readFileSync('/proc/pressure/cpu', 'utf8'));
    return match ? Number(match[1]) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Preloaded with `--import` into a cold-start server: records every module the process
 * loads (ES modules and CommonJS alike) and writes the list as JSON to `BENCH_MODULES_OUT`
 * when it receives SIGUSR2. Used once per server, never in a timed spawn.
 */
import { writeFileSync } from 'node:fs';
import { registerHooks } from 'node:module';

const loaded = new Set<string>();

registerHooks({
  load(url, context, nextLoad) {
    loaded.add(url);
    return nextLoad(url, context);
  },
});

process.on('SIGUSR2', () => {
  const out = process.env.BENCH_MODULES_OUT;
  if (out) writeFileSync(out, JSON.stringify([...loaded]));
});

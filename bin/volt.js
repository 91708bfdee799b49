#!/usr/bin/env node
// The published `volt` command: the compiled CLI (npm run build writes dist/).
import module from 'node:module';

// Reuses compiled bytecode across starts (Node ≥ 22.1): a faster `volt start`.
module.enableCompileCache?.();
const { run } = await import('../dist/cli/main.js');

process.exitCode = await run(process.argv.slice(2));

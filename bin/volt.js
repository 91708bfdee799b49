#!/usr/bin/env node
// The published `volt` command: the compiled CLI (npm run build writes dist/).
import { run } from '../dist/cli/main.js';

process.exitCode = await run(process.argv.slice(2));

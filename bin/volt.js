#!/usr/bin/env node
// The `volt` command.
//
// Installed from the npm package, it runs the compiled CLI in dist/ (built by `prepack`). In a
// checkout of the repository (src/ next to bin/, which the package does not ship) it runs the
// TypeScript source with the `volt-source` export condition, so `npx volt …` works in a fresh
// clone without a build, and never runs a stale dist/ left by an earlier build or `npm pack`.
//
// Written for any Node that can parse it, so that an old one gets a message, not a stack trace.
import { existsSync } from 'node:fs';
import module from 'node:module';

const argv = process.argv.slice(2);
const source = new URL('../src/cli/main.ts', import.meta.url);
const fromSource = existsSync(source);

// `volt new` (and --help, --version) is what `npx <package> new` runs before a project has its
// own Node 24: it needs only Node 20. Everything else loads the app's .ts files (type stripping
// without a flag: Node 22.18), and running from source loads Volt's own.
const first = argv[0];
const light = first === undefined || ['new', 'help', '--help', '-h', '--version', '-v'].includes(first);
const [needMajor, needMinor] = fromSource || !light ? [22, 18] : [20, 12];
const [major, minor] = process.versions.node.split('.').map(Number);
if (major < needMajor || (major === needMajor && minor < needMinor)) {
  const what = first === undefined || first.startsWith('-') ? 'volt' : `'volt ${first}'`;
  process.stderr.write(
    `volt: ${what} needs Node ${needMajor}.${needMinor} or newer; this is Node ${process.versions.node}.\n` +
      (fromSource
        ? 'In this repository, run it as npx volt … after npm install: the `node` devDependency brings Node 24.\n'
        : light
          ? 'Install a newer Node (https://nodejs.org), then run it again.\n'
          : 'In a project made by volt new, run it through npm (npm start, npm run …, npx volt …): the ' +
            "project's `node` devDependency brings Node 24 after npm install.\n"),
  );
  process.exit(1);
}

if (fromSource) {
  // The condition for this process (resolution hooks) and for the processes it starts
  // (`volt dev`'s server): a user's app importing the package then gets src/ too.
  process.env.NODE_OPTIONS = `${process.env.NODE_OPTIONS ?? ''} --conditions=volt-source`.trim();
  module.registerHooks({
    resolve(specifier, context, nextResolve) {
      const conditions = context.conditions ?? [];
      if (conditions.includes('volt-source')) return nextResolve(specifier, context);
      return nextResolve(specifier, { ...context, conditions: [...conditions, 'volt-source'] });
    },
  });
}

// Node's compile cache (Node ≥ 22.1): the V8 bytecode of every module loaded from here on and, on
// the Node 24 projects run, the output of type stripping, kept on disk, so a second `volt start`
// of the same files skips both: about a third less CPU time to listen for a compiled project, half from
// source (docs/guides/cli.md). Node's own default directory, os.tmpdir()/node-compile-cache:
// entries are keyed by Node version, path and content, so projects share it safely; a read-only
// project folder or node_modules does not matter; NODE_COMPILE_CACHE=dir moves it and
// NODE_DISABLE_COMPILE_CACHE=1 turns it off. It never fails a start: a directory it cannot
// write only costs the speed-up.
module.enableCompileCache?.();
const { run } = await import(fromSource ? source.href : '../dist/cli/main.js');

process.exitCode = await run(argv);

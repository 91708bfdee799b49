#!/usr/bin/env node
// `npm create voltjs my-app` runs this (`npm exec create-voltjs -- my-app`): it is `volt new
// my-app` of the Volt package this one depends on. Flags go after `--`:
// `npm create voltjs my-app -- --database postgres`.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';

// The one dependency is Volt, under whatever name it is published.
const own = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8'));
const [framework] = Object.keys(own.dependencies);
const manifestPath = createRequire(import.meta.url).resolve(`${framework}/package.json`);
const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
const bin = typeof manifest.bin === 'string' ? manifest.bin : manifest.bin.volt;

// Volt's command line, as if typed `volt new …`.
process.argv.splice(2, 0, 'new');
await import(pathToFileURL(join(dirname(manifestPath), bin)).href);

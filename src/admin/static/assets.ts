/**
 * The admin's stylesheet and script: read once from Volt's own files, named by a hash of their
 * content (`admin.3f9c1a2b.css`) so a browser may keep them for a year and still never use a
 * stale one, and sent from the app's own origin — no CDN, nothing inline.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { ownFile } from '../../http/own-files.ts';

/** One served file. */
export interface Asset {
  /** The hashed file name (`admin.3f9c1a2b.css`). */
  readonly name: string;
  readonly type: string;
  readonly body: Buffer;
}

function load(file: string, type: string): Asset {
  const body = readFileSync(ownFile(`admin/static/${file}`));
  const hash = createHash('sha256').update(body).digest('hex').slice(0, 12);
  const dot = file.lastIndexOf('.');
  return { name: `${file.slice(0, dot)}.${hash}${file.slice(dot)}`, type, body };
}

let loaded: { css: Asset; js: Asset } | undefined;

/** The stylesheet and the script, read on first use. */
export function adminAssets(): { css: Asset; js: Asset } {
  loaded ??= {
    css: load('admin.css', 'text/css; charset=utf-8'),
    js: load('admin.js', 'text/javascript; charset=utf-8'),
  };
  return loaded;
}

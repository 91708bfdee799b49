/**
 * Reads a V8 `.cpuprofile` (from `node --cpu-prof`) into self and inclusive times per
 * function and per area of the code (Volt's source, Fastify, ajv, Node's internals…).
 */

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}

interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}

/** The parts of a `.cpuprofile` this reads. */
export interface CpuProfile {
  /** Microseconds on the system's monotonic clock (the one `process.hrtime` reads). */
  startTime: number;
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** Time spent in one function. */
export interface FunctionCost {
  /** `name file:line`. */
  name: string;
  area: string;
  selfMs: number;
  /** Time with everything it called (each sample counted once even under recursion). */
  totalMs: number;
}

/** A profile reduced to what a reader needs. */
export interface ProfileSummary {
  totalMs: number;
  /** Self time per area, largest first. */
  areas: Array<{ area: string; selfMs: number }>;
  functions: FunctionCost[];
}

/** Names the area a script URL belongs to. */
export function areaOf(url: string, functionName: string): string {
  // Native code and code made with `new Function` (ajv validators, fast-json-stringify) have no URL.
  if (!url) return functionName.startsWith('(') ? functionName : '(native or generated)';
  if (url.startsWith('node:')) return 'node internals';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url);
  if (pkg) return pkg[1]!;
  const src = /\/(src\/[^?#]+)/.exec(url);
  if (src) return `volt ${src[1]}`;
  return url.startsWith('file:') ? 'app code' : url;
}

function frameName(frame: CallFrame): string {
  const file = frame.url.replace(/^.*\/(node_modules|src|bench|examples)\//, '$1/').replace(/^node:/, '');
  return `${frame.functionName || '(anonymous)'} ${file}:${frame.lineNumber + 1}`;
}

/**
 * Sums a profile's samples into self and inclusive time per function and per area; only the
 * samples within `window` (monotonic microseconds) when one is given.
 */
export function summarizeProfile(
  profile: CpuProfile,
  window?: { fromUs: number; toUs: number },
): ProfileSummary {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const self = new Map<string, number>();
  const total = new Map<string, number>();
  const areaOfName = new Map<string, string>();
  const areas = new Map<string, number>();
  let totalMs = 0;
  let at = profile.startTime;
  profile.samples.forEach((id, i) => {
    at += profile.timeDeltas[i] ?? 0;
    if (window && (at < window.fromUs || at > window.toUs)) return;
    const ms = (profile.timeDeltas[i] ?? 0) / 1000;
    totalMs += ms;
    const leaf = byId.get(id)!;
    const leafName = frameName(leaf.callFrame);
    self.set(leafName, (self.get(leafName) ?? 0) + ms);
    const area = areaOf(leaf.callFrame.url, leaf.callFrame.functionName);
    areas.set(area, (areas.get(area) ?? 0) + ms);
    const seen = new Set<string>();
    for (let node: ProfileNode | undefined = leaf; node; node = byId.get(parent.get(node.id) ?? -1)) {
      const name = frameName(node.callFrame);
      areaOfName.set(name, areaOf(node.callFrame.url, node.callFrame.functionName));
      if (seen.has(name)) continue;
      seen.add(name);
      total.set(name, (total.get(name) ?? 0) + ms);
    }
  });
  const functions = [...total.entries()].map(([name, totalTime]) => ({
    name,
    area: areaOfName.get(name) ?? '',
    selfMs: self.get(name) ?? 0,
    totalMs: totalTime,
  }));
  return {
    totalMs,
    areas: [...areas.entries()]
      .map(([area, selfMs]) => ({ area, selfMs }))
      .sort((a, b) => b.selfMs - a.selfMs),
    functions,
  };
}

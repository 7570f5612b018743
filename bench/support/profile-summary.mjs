/**
 * Summarises a V8 .cpuprofile (as written by `BENCH_CPU_PROF=1 npm run bench:token`):
 * self time by function and inclusive time by function, top N each.
 *
 *   node bench/support/profile-summary.mjs .cache/prof/<file>.cpuprofile [N] [SKIP_S]
 *
 * SKIP_S (default 0) leaves out samples taken before that many seconds after
 * the first sample in which a function named `serve*` or `answer` ran, so start-up and
 * module loading do not count; idle time is left out of the percentages.
 * PROFILE_WINDOW=FROM-TO (µs of the monotonic clock, as `BENCH_STEPS` logs a
 * phase of bench:authorize) keeps only the samples taken in that window.
 */
import { readFileSync } from 'node:fs';

const [file, n = '40', skip = '0'] = process.argv.slice(2);
if (!file) throw new Error('usage: profile-summary.mjs <file.cpuprofile> [N]');
const profile = JSON.parse(readFileSync(file, 'utf8'));
const byId = new Map(profile.nodes.map((node) => [node.id, node]));
const parent = new Map();
for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
const onStack = (id, re) => {
  for (let cur = id; cur !== undefined; cur = parent.get(cur))
    if (re.test(byId.get(cur).callFrame.functionName)) return true;
  return false;
};
const dt = new Map();
let clock = 0;
let from;
const [windowFrom, windowTo] = (process.env.PROFILE_WINDOW ?? '').split('-').map(Number);
for (let i = 0; i < profile.samples.length; i++) {
  clock += profile.timeDeltas[i] ?? 0;
  if (from === undefined && onStack(profile.samples[i], /^(serve\w*|answer)$/)) from = clock + Number(skip) * 1e6;
  if (from === undefined || clock < from) continue;
  if (windowTo && (profile.startTime + clock < windowFrom || profile.startTime + clock > windowTo)) continue;
  dt.set(profile.samples[i], (dt.get(profile.samples[i]) ?? 0) + (profile.timeDeltas[i] ?? 0));
}
const label = (node) => {
  const f = node.callFrame;
  const where = f.url ? `${f.url.replace(/^.*\/(node_modules|work\/main)\//, '')}:${f.lineNumber + 1}` : '';
  return `${f.functionName || '(anonymous)'} ${where}`.trim();
};
const self = new Map();
const inclusive = new Map();
let total = 0;
let idle = 0;
for (const [id, time] of dt) {
  const node = byId.get(id);
  total += time;
  if (node.callFrame.functionName === '(idle)') {
    idle += time;
    continue;
  }
  self.set(label(node), (self.get(label(node)) ?? 0) + time);
  const seen = new Set();
  for (let cur = id; cur !== undefined; cur = parent.get(cur)) {
    const l = label(byId.get(cur));
    if (seen.has(l)) continue;
    seen.add(l);
    inclusive.set(l, (inclusive.get(l) ?? 0) + time);
  }
}
const busy = total - idle;
const print = (title, map) => {
  console.log(`\n${title} (% of busy time ${(busy / 1000).toFixed(0)} ms; idle ${(idle / 1000).toFixed(0)} ms)`);
  for (const [l, t] of [...map].sort((a, b) => b[1] - a[1]).slice(0, Number(n)))
    console.log(`${((100 * t) / busy).toFixed(1).padStart(6)}%  ${l}`);
};
print('self', self);
print('inclusive', inclusive);

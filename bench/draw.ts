// A draw over 1,000,000 entries (DESIGN §6, algorithm 1): time and peak memory.
//   npm run bench:draw [-- <entries>]
import { performance } from 'node:perf_hooks';
import { createHash } from 'node:crypto';
import { draw } from '../src/contests/draw.ts';
import { newEntryPublicId } from '../src/contests/ids.ts';
import { recompute } from '../scripts/verify-draw.ts';

const n = Number(process.argv[2] ?? 1_000_000);
const mb = (b: number) => (b / 1048576).toFixed(0);
let peak = 0;
const sample = () => (peak = Math.max(peak, process.memoryUsage().rss));
const timer = setInterval(sample, 5);

const before = process.memoryUsage().rss;
const entries = Array.from({ length: n }, () => newEntryPublicId());
sample();
const seedHex = createHash('sha256').update('bench').digest('hex');
const t0 = performance.now();
const r = draw({ contestId: 'C-BENCH001', seedHex, entries, winners: 10, reserves: 10 });
const t1 = performance.now();
sample();
const v = await recompute({ contestId: 'C-BENCH001', algorithm: 1, seedHash: '', listHash: '', entries, winners: 10, reserves: 10, seed: seedHex });
const t2 = performance.now();
sample();
clearInterval(timer);
if (JSON.stringify(v.ranking) !== JSON.stringify(r.ranking)) throw new Error('verifier disagrees');
process.stdout.write(
  JSON.stringify({
    entries: n, winners: 10, reserves: 10,
    drawMs: Math.round(t1 - t0), verifierMs: Math.round(t2 - t1),
    rssBeforeMB: Number(mb(before)), peakRssMB: Number(mb(peak)), node: process.version,
  }) + '\n',
);

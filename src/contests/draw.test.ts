import { createHash, createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ByteStream, draw, drawKey, entryList, listHashOf, rejectionLimit, seedHashOf, uniformFrom } from './draw.ts';
import { recompute } from '../../scripts/verify-draw.ts';

// Deterministic inputs derived by hashing a counter: no Math.random, same run every time.
const h = (s: string): string => createHash('sha256').update(s).digest('hex');
const seedOf = (i: number): string => h(`seed-${i}`);
const ids = (n: number, tag = 'e'): string[] => Array.from({ length: n }, (_, i) => h(`${tag}-${i}`).slice(0, 12).toUpperCase());

interface Vector {
  contestId: string;
  seed: string;
  seedHash: string;
  entries: string[];
  listHash: string;
  key: string;
  winners: number;
  reserves: number;
  ranking: string[];
}
const vectors = JSON.parse(readFileSync(new URL('../../test/fixtures/draw-vectors.json', import.meta.url), 'utf8')) as { vectors: Vector[] };

/** Chi-square statistic of observed counts against a uniform expectation. */
const chiSquare = (counts: number[]): number => {
  const total = counts.reduce((a, b) => a + b, 0);
  const e = total / counts.length;
  return counts.reduce((s, o) => s + (o - e) ** 2 / e, 0);
};

describe('draw, algorithm 1 (DESIGN §6)', () => {
  it('matches the published test vectors, byte for byte', () => {
    expect(vectors.vectors.length).toBeGreaterThanOrEqual(4);
    for (const v of vectors.vectors) {
      expect(seedHashOf(v.seed)).toBe(v.seedHash);
      expect(listHashOf(v.entries)).toBe(v.listHash);
      expect(drawKey(v.contestId, v.listHash, v.seed).toString('hex')).toBe(v.key);
      const r = draw({ contestId: v.contestId, seedHex: v.seed, entries: v.entries, winners: v.winners, reserves: v.reserves });
      expect(r.ranking).toEqual(v.ranking);
    }
  });

  it('the independent verifier (scripts/verify-draw.ts) agrees with the test vectors', async () => {
    for (const v of vectors.vectors) {
      const r = await recompute({ ...v, algorithm: 1 });
      expect(r).toEqual({ seedHash: v.seedHash, listHash: v.listHash, ranking: v.ranking });
    }
  });

  it('lists: code-unit order, "\\n" between ids, no trailing newline; hash of the UTF-8 bytes', () => {
    expect(entryList(['b', 'B', 'a', '_'])).toBe('B\n_\na\nb');
    expect(listHashOf([])).toBe(h(''));
    expect(listHashOf(['b', 'a'])).toBe(h('a\nb'));
    expect(seedHashOf('00'.repeat(32))).toBe(createHash('sha256').update(Buffer.alloc(32)).digest('hex'));
    expect(() => seedHashOf('AB'.repeat(32))).toThrow();
  });

  it('is deterministic and independent of the order of the entries', () => {
    const entries = ids(200);
    const input = { contestId: 'C-TEST0001', seedHex: seedOf(1), entries, winners: 3, reserves: 5 };
    const a = draw(input);
    expect(draw(input)).toEqual(a);
    expect(draw({ ...input, entries: [...entries].reverse() })).toEqual(a);
    const shuffled = [...entries].sort((x, y) => h(x).localeCompare(h(y)));
    expect(draw({ ...input, entries: shuffled })).toEqual(a);
    expect(a.ranking).toHaveLength(8);
    expect(new Set(a.ranking).size).toBe(8);
    expect(a.winners).toEqual(a.ranking.slice(0, 3));
    expect(a.reserves).toEqual(a.ranking.slice(3));
    // Any change of seed, contest or list changes the draw.
    expect(draw({ ...input, seedHex: seedOf(2) }).ranking).not.toEqual(a.ranking);
    expect(draw({ ...input, contestId: 'C-TEST0002' }).ranking).not.toEqual(a.ranking);
  });

  it('ranks everybody when there are fewer entries than winners and reserves, nobody when there are none', () => {
    const r = draw({ contestId: 'C-X', seedHex: seedOf(3), entries: ids(4), winners: 3, reserves: 5 });
    expect([...r.ranking].sort()).toEqual([...ids(4)].sort());
    expect(r.winners).toHaveLength(3);
    expect(r.reserves).toHaveLength(1);
    expect(draw({ contestId: 'C-X', seedHex: seedOf(3), entries: [], winners: 1, reserves: 1 }).ranking).toEqual([]);
    expect(() => draw({ contestId: 'C-X', seedHex: seedOf(3), entries: ['A', 'A'], winners: 1, reserves: 0 })).toThrow(/duplicate/);
  });

  it('is uniform: first place and the ordered first two places over many seeds (chi-square)', () => {
    const entries = ids(6, 'u');
    const sorted = [...entries].sort();
    const first = new Array<number>(6).fill(0);
    const pairs = new Array<number>(36).fill(0);
    const N = 12_000;
    for (let s = 0; s < N; s++) {
      const r = draw({ contestId: 'C-CHI', seedHex: seedOf(1000 + s), entries, winners: 1, reserves: 1 });
      const i0 = sorted.indexOf(r.ranking[0]!);
      const i1 = sorted.indexOf(r.ranking[1]!);
      first[i0]!++;
      pairs[i0 * 6 + i1]!++;
    }
    // df = 5: p = 0.001 critical value 20.52. df = 29 (30 ordered pairs): p = 0.001 critical value 58.30.
    expect(chiSquare(first)).toBeLessThan(20.52);
    const ordered = pairs.filter((_, k) => Math.floor(k / 6) !== k % 6);
    expect(pairs.filter((_, k) => Math.floor(k / 6) === k % 6).every((c) => c === 0)).toBe(true);
    expect(chiSquare(ordered)).toBeLessThan(58.3);
  });
});

describe('uniform(n): rejection sampling without bias', () => {
  const M = 2 ** 48;

  it.each([3, 7, 1_000_003, 2 ** 47 + 1])('n = %i: the accepted range is an exact multiple of n, one short of n rejected at most', (n) => {
    const limit = rejectionLimit(n);
    expect(limit % n).toBe(0); // every residue has exactly limit / n preimages: no bias
    expect(M - limit).toBeLessThan(n);
    expect(M - limit).toBe(M % n);
    // x = limit - 1 is accepted, x = limit and x = 2^48 - 1 are rejected (when the range is not empty).
    const script = (xs: number[]) => {
      let k = 0;
      let rejected = 0;
      const v = uniformFrom(() => xs[k++]!, n, () => rejected++);
      return { v, rejected, read: k };
    };
    expect(script([limit - 1])).toEqual({ v: (limit - 1) % n, rejected: 0, read: 1 });
    if (limit < M) {
      expect(script([limit, M - 1, 5])).toEqual({ v: 5 % n, rejected: 2, read: 3 });
      expect(script([M - 1, limit - 1])).toEqual({ v: (limit - 1) % n, rejected: 1, read: 2 });
    }
  });

  it('exact counts for n = 3 and 7: 2^48 mod n values rejected, the rest evenly split', () => {
    expect(M % 3).toBe(1);
    expect(rejectionLimit(3)).toBe(M - 1);
    expect(M % 7).toBe(2 ** 48 % 7);
    expect(rejectionLimit(7)).toBe(M - (M % 7));
  });

  it('the stream reads 6 bytes at a time across the 32-byte HMAC blocks', () => {
    const key = drawKey('C-S', h('l'), seedOf(5));
    const s = new ByteStream(key);
    const bytes = Buffer.concat(Array.from({ length: 16 }, () => s.read(6)));
    const blocks = Buffer.concat(
      [0, 1, 2].map((c) => {
        const b = Buffer.alloc(8);
        b.writeBigUInt64BE(BigInt(c));
        return createHmacSha256(key, b);
      }),
    ).subarray(0, 96);
    expect(bytes.equals(blocks)).toBe(true);
  });

  it.each([3, 7, 1_000_003])('n = %i: the values drawn from the stream are uniform (chi-square)', (n) => {
    const s = new ByteStream(drawKey('C-U', h(`n${n}`), seedOf(n)));
    const bins = Math.min(n, 10);
    const counts = new Array<number>(bins).fill(0);
    const N = 60_000;
    let outOfRange = 0;
    for (let i = 0; i < N; i++) {
      const v = s.uniform(n);
      if (!(v >= 0 && v < n && Number.isInteger(v))) outOfRange++;
      else counts[Math.floor((v * bins) / n)]!++;
    }
    expect(outOfRange).toBe(0);
    // df ≤ 9: p = 0.001 critical value 27.88.
    expect(chiSquare(counts)).toBeLessThan(27.88);
  });

  it('n just above 2^47 rejects about half of the values and stays in range', () => {
    const n = 2 ** 47 + 1;
    const s = new ByteStream(drawKey('C-R', h('r'), seedOf(9)));
    let bad = 0;
    for (let i = 0; i < 4000; i++) if (s.uniform(n) >= n) bad++;
    expect(bad).toBe(0);
    expect(s.rejections).toBeGreaterThan(1700);
    expect(s.rejections).toBeLessThan(2300 + 4000);
    expect(s.rejections / (4000 + s.rejections)).toBeGreaterThan(0.45);
    expect(s.rejections / (4000 + s.rejections)).toBeLessThan(0.55);
  });
});

function createHmacSha256(key: Uint8Array, msg: Uint8Array): Buffer {
  return createHmac('sha256', key).update(msg).digest();
}

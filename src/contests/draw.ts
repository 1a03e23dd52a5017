// The draw, algorithm version 1 (DESIGN §6), specified to the byte so that anyone can re-implement
// it. Pure: no I/O, no clock, no Math.random. The verifier script (scripts/verify-draw.ts) and the
// browser (public/js/verify-draw.js) implement the same steps independently.
import { createHash, createHmac } from 'node:crypto';

export const ALGORITHM = 1 as const;

const TWO_48 = 2 ** 48; // exact in a double (< 2^53)

/** The frozen list: public ids sorted by plain code-unit order, joined with "\n", no trailing newline. */
export function entryList(publicIds: readonly string[]): string {
  return [...publicIds].sort().join('\n');
}

export const sha256Hex = (data: string | Uint8Array): string => createHash('sha256').update(data).digest('hex');

/** listHash = lowercase hex SHA-256 of the list's UTF-8 bytes. */
export const listHashOf = (publicIds: readonly string[]): string => sha256Hex(entryList(publicIds));

/** seedHash = lowercase hex SHA-256 of the 32 raw seed bytes (the commitment published at opening). */
export function seedHashOf(seedHex: string): string {
  return sha256Hex(seedBytes(seedHex));
}

export function seedBytes(seedHex: string): Buffer {
  if (!/^[0-9a-f]{64}$/.test(seedHex)) throw new Error('seed must be 64 lowercase hex characters');
  return Buffer.from(seedHex, 'hex');
}

/** key = raw SHA-256 of the UTF-8 string `<contestId>|<listHash>|<seedHex>`. */
export function drawKey(contestId: string, listHash: string, seedHex: string): Buffer {
  return createHash('sha256').update(`${contestId}|${listHash}|${seedHex}`, 'utf8').digest();
}

/** HMAC-SHA256(key, counter as 8-byte big-endian) for counter = 0, 1, 2, …, read continuously. */
export class ByteStream {
  private block: Buffer = Buffer.alloc(0);
  private pos = 0;
  private counter = 0n;
  /** How many 6-byte values uniform() rejected (for the tests). */
  rejections = 0;

  constructor(private readonly key: Uint8Array) {}

  private refill(): void {
    const c = Buffer.alloc(8);
    c.writeBigUInt64BE(this.counter);
    this.counter += 1n;
    this.block = createHmac('sha256', this.key).update(c).digest();
    this.pos = 0;
  }

  read(count: number): Buffer {
    const out = Buffer.alloc(count);
    let filled = 0;
    while (filled < count) {
      if (this.pos >= this.block.length) this.refill();
      const take = Math.min(count - filled, this.block.length - this.pos);
      this.block.copy(out, filled, this.pos, this.pos + take);
      this.pos += take;
      filled += take;
    }
    return out;
  }

  /** Next 6 bytes read big-endian: a 48-bit integer. */
  read48(): number {
    return this.read(6).readUIntBE(0, 6);
  }

  /** A uniform integer in [0, n) by rejection sampling: no modulo bias. */
  uniform(n: number): number {
    return uniformFrom(() => this.read48(), n, () => this.rejections++);
  }
}

export const rejectionLimit = (n: number): number => TWO_48 - (TWO_48 % n);

/** uniform(n) given a source of 48-bit values: x < limit → x mod n, otherwise draw again. */
export function uniformFrom(next48: () => number, n: number, onReject?: () => void): number {
  if (!Number.isSafeInteger(n) || n < 1 || n > TWO_48) throw new RangeError('uniform(n): 1 ≤ n ≤ 2^48');
  const limit = rejectionLimit(n);
  for (;;) {
    const x = next48();
    if (x < limit) return x % n;
    onReject?.();
  }
}

export interface DrawInput {
  contestId: string;
  seedHex: string;
  /** Public entry ids, in any order. */
  entries: readonly string[];
  winners: number;
  reserves: number;
}

export interface DrawResult {
  algorithm: typeof ALGORITHM;
  listHash: string;
  seedHash: string;
  /** W winners then R reserves, in order (shorter when there are fewer entries). */
  ranking: string[];
  winners: string[];
  reserves: string[];
}

export function draw(input: DrawInput): DrawResult {
  const { contestId, seedHex, winners, reserves } = input;
  if (!Number.isSafeInteger(winners) || winners < 0 || !Number.isSafeInteger(reserves) || reserves < 0) {
    throw new RangeError('winners and reserves must be non-negative integers');
  }
  const a = [...input.entries].sort();
  for (let i = 1; i < a.length; i++) if (a[i] === a[i - 1]) throw new Error(`duplicate entry id ${a[i]}`);
  const listHash = sha256Hex(a.join('\n'));
  const stream = new ByteStream(drawKey(contestId, listHash, seedHex));
  const k = Math.min(winners + reserves, a.length);
  for (let i = 0; i < k; i++) {
    const j = i + stream.uniform(a.length - i);
    const t = a[i]!;
    a[i] = a[j]!;
    a[j] = t;
  }
  const ranking = a.slice(0, k);
  return {
    algorithm: ALGORITHM,
    listHash,
    seedHash: seedHashOf(seedHex),
    ranking,
    winners: ranking.slice(0, winners),
    reserves: ranking.slice(winners),
  };
}

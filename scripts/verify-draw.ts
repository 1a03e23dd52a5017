// Recomputes a published draw (algorithm version 1, DESIGN §6) independently of the site's code:
//   npm run verify-draw -- <tirage.json file | URL | URL path like /concours/<slug>/resultats>
// A URL path is fetched from PUBLIC_URL (default http://localhost:3000). Exit status 0 when the
// seed matches its commitment, the list matches its hash and the ranking matches; 1 otherwise.
import { readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { webcrypto } from 'node:crypto';

const subtle = webcrypto.subtle;
const utf8 = new TextEncoder();

export interface PublishedDraw {
  contestId: string;
  algorithm: number;
  seedHash: string;
  listHash: string;
  entries: string[];
  winners: number;
  reserves: number;
  seed?: string;
  ranking?: string[];
}

const toHex = (b: ArrayBuffer): string => Array.from(new Uint8Array(b), (x) => x.toString(16).padStart(2, '0')).join('');
const fromHex = (h: string): Uint8Array => Uint8Array.from(h.match(/../g) ?? [], (p) => parseInt(p, 16));
const sha256 = (b: Uint8Array): Promise<ArrayBuffer> => subtle.digest('SHA-256', b);

/** The published draw recomputed: ranking from the seed and the list, and the two hashes. */
export async function recompute(d: PublishedDraw): Promise<{ seedHash: string; listHash: string; ranking: string[] }> {
  const a = [...d.entries].sort((x, y) => (x < y ? -1 : x > y ? 1 : 0));
  const listHash = toHex(await sha256(utf8.encode(a.join('\n'))));
  const seed = d.seed ?? '';
  const seedHash = toHex(await sha256(fromHex(seed)));
  const keyRaw = await sha256(utf8.encode(`${d.contestId}|${listHash}|${seed}`));
  const key = await subtle.importKey('raw', keyRaw, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  // The stream as bits in a BigInt buffer: append 256 bits per HMAC block, consume 48 at a time.
  let counter = 0n;
  let pool = 0n;
  let poolBits = 0;
  const next48 = async (): Promise<bigint> => {
    while (poolBits < 48) {
      const c = new Uint8Array(8);
      new DataView(c.buffer).setBigUint64(0, counter++, false);
      const block = BigInt('0x' + toHex(await subtle.sign('HMAC', key, c)));
      pool = (pool << 256n) | block;
      poolBits += 256;
    }
    poolBits -= 48;
    const x = pool >> BigInt(poolBits);
    pool &= (1n << BigInt(poolBits)) - 1n;
    return x;
  };
  const M = 1n << 48n;
  const uniform = async (n: number): Promise<number> => {
    const nb = BigInt(n);
    const limit = M - (M % nb);
    for (;;) {
      const x = await next48();
      if (x < limit) return Number(x % nb);
    }
  };
  const k = Math.min(d.winners + d.reserves, a.length);
  for (let i = 0; i < k; i++) {
    const j = i + (await uniform(a.length - i));
    [a[i], a[j]] = [a[j]!, a[i]!];
  }
  return { seedHash, listHash, ranking: a.slice(0, k) };
}

/** The problems found (French, like the site), or an empty list when the draw checks out. */
export async function verifyDraw(d: PublishedDraw): Promise<string[]> {
  if (d.algorithm !== 1) return [`Version d’algorithme inconnue : ${d.algorithm}`];
  if (typeof d.seed !== 'string' || !/^[0-9a-f]{64}$/.test(d.seed) || !Array.isArray(d.ranking)) {
    return ['Le tirage n’est pas publié (pas de graine ou de classement).'];
  }
  const r = await recompute(d);
  const problems: string[] = [];
  if (r.seedHash !== d.seedHash) problems.push('La graine ne correspond pas à l’engagement publié (SHA-256).');
  if (r.listHash !== d.listHash) problems.push('La liste ne correspond pas à l’empreinte publiée à la clôture.');
  if (r.ranking.length !== d.ranking.length || r.ranking.some((id, i) => id !== d.ranking![i])) {
    problems.push(`Le classement recalculé diffère : ${r.ranking.join(', ')}`);
  }
  return problems;
}

async function load(arg: string): Promise<PublishedDraw> {
  if (existsSync(arg)) return JSON.parse(await readFile(arg, 'utf8')) as PublishedDraw;
  const base = (process.env.PUBLIC_URL ?? 'http://localhost:3000').replace(/\/$/, '');
  let url = /^https?:\/\//.test(arg) ? arg : base + (arg.startsWith('/') ? arg : `/${arg}`);
  url = url.replace(/\/resultats\/?$/, '/tirage.json').replace(/\/concours\/([^/]+)\/?$/, '/concours/$1/tirage.json');
  const res = await fetch(url);
  if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`);
  return (await res.json()) as PublishedDraw;
}

async function main(): Promise<void> {
  const arg = process.argv[2];
  if (!arg) {
    process.stderr.write('usage: npm run verify-draw -- <tirage.json | URL | /concours/<slug>/resultats>\n');
    process.exit(2);
  }
  const d = await load(arg);
  const problems = await verifyDraw(d);
  if (problems.length === 0) {
    process.stdout.write(
      `OK — tirage vérifié (algorithme ${d.algorithm}, ${d.entries.length} participations, listHash ${d.listHash})\n` +
        `classement : ${d.ranking!.join(' ')}\n`,
    );
    return;
  }
  process.stdout.write(`ÉCHEC\n${problems.map((p) => `- ${p}`).join('\n')}\n`);
  process.exit(1);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().catch((e: unknown) => {
    process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(2);
  });
}

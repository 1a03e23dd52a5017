// Fixed-window counters in the database, shared by every app process. Keys are HMACs, so no
// e-mail address or IP address is stored in clear.
import { createHmac } from 'node:crypto';
import { isIPv4, isIPv6 } from 'node:net';
import { Prisma } from '../generated/prisma/client.ts';
import type { Deps } from '../deps.ts';

export interface Limit {
  name: string;
  max: number;
  windowMs: number;
}

export const LIMITS = {
  /** Failed logins of one account from one source: the owner elsewhere is not affected. */
  loginPerAccountAndSource: { name: 'login-account-source', max: 5, windowMs: 15 * 60_000 },
  /** Failed logins of one account from all sources together, past which only known sources are checked. */
  loginPerAccount: { name: 'login-account', max: 30, windowMs: 15 * 60_000 },
  loginPerIp: { name: 'login-ip', max: 100, windowMs: 15 * 60_000 },
  register: { name: 'register-ip', max: 10, windowMs: 60 * 60_000 },
  reset: { name: 'reset-ip', max: 10, windowMs: 60 * 60_000 },
  couponPerMember: { name: 'coupon-member', max: 10, windowMs: 60 * 60_000 },
  couponPerIp: { name: 'coupon-ip', max: 200, windowMs: 60 * 60_000 },
  /** Password confirmations of a logged-in member (e-mail change, password change, deletion). */
  passwordCheck: { name: 'password-check', max: 5, windowMs: 15 * 60_000 },
  /** E-mails a member can trigger (confirmation resend, e-mail change). */
  memberMail: { name: 'member-mail', max: 5, windowMs: 60 * 60_000 },
} satisfies Record<string, Limit>;

/**
 * The source an address is counted as: an IPv4 address, or the /64 network of an IPv6 address (one
 * subscriber usually has a whole /64 and can change addresses within it at will).
 */
export function sourceOf(ip: string | undefined): string {
  if (!ip) return 'unknown';
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (mapped) return mapped[1];
  if (isIPv4(ip)) return ip;
  const bare = ip.replace(/%.*$/, '');
  if (!isIPv6(bare)) return ip;
  const [head, tail = ''] = bare.toLowerCase().split('::');
  const left = head ? head.split(':') : [];
  const right = bare.includes('::') ? (tail ? tail.split(':') : []) : [];
  const groups = [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right];
  return `${groups
    .slice(0, 4)
    .map((g) => g.replace(/^0+(?=.)/, ''))
    .join(':')}::/64`;
}

function keyOf(deps: Deps, limit: Limit, subject: string): string {
  return `${limit.name}:${createHmac('sha256', deps.config.sessionSecret).update(subject).digest('base64url').slice(0, 32)}`;
}

/** A limit and the subject counted against it. */
export type Check = readonly [Limit, string];

const upsertCount = (key: string, now: Date, windowStart: Date, when: Prisma.Sql) => Prisma.sql`
    INSERT INTO "RateLimit" (key, "windowStart", count) SELECT ${key}, ${now}, 1 WHERE ${when}
    ON CONFLICT (key) DO UPDATE SET
      count = CASE WHEN "RateLimit"."windowStart" < ${windowStart} THEN 1 ELSE "RateLimit".count + 1 END,
      "windowStart" = CASE WHEN "RateLimit"."windowStart" < ${windowStart} THEN ${now} ELSE "RateLimit"."windowStart" END
    RETURNING count`;

/**
 * Counts one event against each limit, in one statement; for each, whether the subject stays within
 * it. `inOrder`: a refused limit stops the counting there (the later limits are not used up by an
 * attempt that an earlier one refused, and are reported refused), as calls to hit() one after the
 * other would.
 */
export async function hitEach(deps: Deps, checks: readonly Check[], opts: { inOrder: boolean }): Promise<boolean[]> {
  const now = deps.clock.now();
  const parts = checks.map(([limit, subject], i) => {
    const previous = checks[i - 1];
    const when = i > 0 && opts.inOrder ? Prisma.sql`(SELECT count FROM h${Prisma.raw(String(i - 1))}) <= ${previous[0].max}` : Prisma.sql`true`;
    const windowStart = new Date(now.getTime() - limit.windowMs);
    return Prisma.sql`h${Prisma.raw(String(i))} AS (${upsertCount(keyOf(deps, limit, subject), now, windowStart, when)})`;
  });
  const counts = checks.map((_, i) => Prisma.sql`(SELECT count FROM h${Prisma.raw(String(i))}) AS c${Prisma.raw(String(i))}`);
  const [row] = await deps.db.$queryRaw<Record<string, number | null>[]>`WITH ${Prisma.join(parts, ', ')} SELECT ${Prisma.join(counts, ', ')}`;
  return checks.map(([limit], i) => {
    const count = row[`c${i}`];
    return count !== null && count <= limit.max;
  });
}

/** hitEach, true when every limit holds. */
export const hitAll = async (deps: Deps, checks: readonly Check[], opts: { inOrder: boolean }): Promise<boolean> =>
  (await hitEach(deps, checks, opts)).every(Boolean);

/** True when the subject has used up any of these limits: one query. */
export async function anyBlocked(deps: Deps, checks: readonly Check[]): Promise<boolean> {
  const byKey = new Map(checks.map(([limit, subject]) => [keyOf(deps, limit, subject), limit]));
  const rows = await deps.db.rateLimit.findMany({ where: { key: { in: [...byKey.keys()] } } });
  const now = deps.clock.now().getTime();
  return rows.some((row) => {
    const limit = byKey.get(row.key)!;
    return row.windowStart.getTime() >= now - limit.windowMs && row.count >= limit.max;
  });
}

/** After a success: forgets the `clear` counters and gives one unit back to the `refund` ones, in one statement. */
export async function giveBack(deps: Deps, opts: { clear?: readonly Check[]; refund: readonly Check[] }): Promise<void> {
  const keys = (checks: readonly Check[]) => Prisma.join(checks.map(([limit, subject]) => keyOf(deps, limit, subject)));
  const refunded = Prisma.sql`UPDATE "RateLimit" SET count = GREATEST(count - 1, 0) WHERE key IN (${keys(opts.refund)})`;
  if (opts.clear?.length) {
    await deps.db.$executeRaw`WITH cleared AS (DELETE FROM "RateLimit" WHERE key IN (${keys(opts.clear)})) ${refunded}`;
  } else {
    await deps.db.$executeRaw`${refunded}`;
  }
}

/** Counts one event; returns true while the subject stays within the limit. */
export const hit = (deps: Deps, limit: Limit, subject: string): Promise<boolean> => hitAll(deps, [[limit, subject]], { inOrder: true });

/** Gives back one unit (an attempt that succeeded), so that only failures use up the limit. */
export const refund = (deps: Deps, limit: Limit, subject: string): Promise<void> => giveBack(deps, { refund: [[limit, subject]] });

export async function purgeExpired(deps: Deps): Promise<number> {
  const oldest = new Date(deps.clock.now().getTime() - 24 * 3600_000);
  const r = await deps.db.rateLimit.deleteMany({ where: { windowStart: { lt: oldest } } });
  return r.count;
}

// Fixed-window counters in the database, shared by every app process. Keys are HMACs, so no
// e-mail address or IP address is stored in clear.
import { createHmac } from 'node:crypto';
import { isIPv4, isIPv6 } from 'node:net';
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

/** Counts one event; returns true while the subject stays within the limit. */
export async function hit(deps: Deps, limit: Limit, subject: string): Promise<boolean> {
  const key = keyOf(deps, limit, subject);
  const now = deps.clock.now();
  const windowStart = new Date(now.getTime() - limit.windowMs);
  const rows = await deps.db.$queryRaw<{ count: number }[]>`
    INSERT INTO "RateLimit" (key, "windowStart", count) VALUES (${key}, ${now}, 1)
    ON CONFLICT (key) DO UPDATE SET
      count = CASE WHEN "RateLimit"."windowStart" < ${windowStart} THEN 1 ELSE "RateLimit".count + 1 END,
      "windowStart" = CASE WHEN "RateLimit"."windowStart" < ${windowStart} THEN ${now} ELSE "RateLimit"."windowStart" END
    RETURNING count`;
  return rows[0].count <= limit.max;
}

/** Gives back one unit (an attempt that succeeded), so that only failures use up the limit. */
export async function refund(deps: Deps, limit: Limit, subject: string): Promise<void> {
  await deps.db.$executeRaw`UPDATE "RateLimit" SET count = GREATEST(count - 1, 0) WHERE key = ${keyOf(deps, limit, subject)}`;
}

/** True when the subject has already used up the limit (checked before doing expensive work). */
export async function isBlocked(deps: Deps, limit: Limit, subject: string): Promise<boolean> {
  const row = await deps.db.rateLimit.findUnique({ where: { key: keyOf(deps, limit, subject) } });
  if (!row) return false;
  if (row.windowStart.getTime() < deps.clock.now().getTime() - limit.windowMs) return false;
  return row.count >= limit.max;
}

export async function clear(deps: Deps, limit: Limit, subject: string): Promise<void> {
  await deps.db.rateLimit.deleteMany({ where: { key: keyOf(deps, limit, subject) } });
}

export async function purgeExpired(deps: Deps): Promise<number> {
  const oldest = new Date(deps.clock.now().getTime() - 24 * 3600_000);
  const r = await deps.db.rateLimit.deleteMany({ where: { windowStart: { lt: oldest } } });
  return r.count;
}

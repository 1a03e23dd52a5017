// Failed logins are counted per account and source, per source, and per account (all sources
// together); an attempt is counted before its password is checked. docs/decisions/0013.
import type { SessionData } from '../http/session-middleware.ts';
import type { Deps } from '../deps.ts';
import { LIMITS, giveBack, hitAll, hitEach, sourceOf } from '../core/rate-limit.ts';

/** How long the browser that reset an account's password may log in past the account's ceiling. */
export const RESET_GRANT_MS = LIMITS.loginPerAccount.windowMs;

const pair = (email: string, ip: string | undefined) => `${email}\n${sourceOf(ip)}`;

/**
 * Counts one attempt and says whether its password may be checked. Refused: a source that has used
 * up its attempts on this account or in all, and every source once the account's ceiling is reached.
 * The browser that has just reset this account's password through the e-mailed link is held only by
 * the limit of its source.
 */
export async function admitLoginAttempt(
  deps: Deps,
  email: string,
  ip: string | undefined,
  resetMemberId?: string,
): Promise<boolean> {
  if (resetMemberId) {
    const member = await deps.db.member.findUnique({ where: { email }, select: { id: true } });
    if (member?.id === resetMemberId) {
      // Counted like any attempt (a success gives the units back), but held only by its source's limit.
      const [, , sourceOk] = await hitEach(
        deps,
        [
          [LIMITS.loginPerAccountAndSource, pair(email, ip)],
          [LIMITS.loginPerAccount, email],
          [LIMITS.loginPerIp, sourceOf(ip)],
        ],
        { inOrder: false },
      );
      return sourceOk;
    }
  }
  // In this order, so that a source refused for this account does not use up the account's ceiling.
  return hitAll(
    deps,
    [
      [LIMITS.loginPerAccountAndSource, pair(email, ip)],
      [LIMITS.loginPerIp, sourceOf(ip)],
      [LIMITS.loginPerAccount, email],
    ],
    { inOrder: true },
  );
}

/** Only failures use up the limits. */
export async function loginSucceeded(deps: Deps, email: string, ip: string | undefined): Promise<void> {
  await giveBack(deps, {
    clear: [[LIMITS.loginPerAccountAndSource, pair(email, ip)]],
    refund: [
      [LIMITS.loginPerIp, sourceOf(ip)],
      [LIMITS.loginPerAccount, email],
    ],
  });
}

/** Remembers, in this browser's session, that it has just reset the member's password by e-mail. */
export function grantLoginAfterReset(session: Partial<SessionData>, memberId: string, now: Date): void {
  session.passwordResetBy = { memberId, at: now.getTime() };
}

/** The member whose password this browser has just reset, if it was within RESET_GRANT_MS. */
export function loginAfterResetOf(session: Partial<SessionData> | undefined, now: Date): string | undefined {
  const grant = session?.passwordResetBy;
  return grant && now.getTime() - grant.at < RESET_GRANT_MS ? grant.memberId : undefined;
}

declare module '../http/session-middleware.ts' {
  interface SessionData {
    /** Set when this browser resets a password through the e-mailed link (an id, no personal data). */
    passwordResetBy?: { memberId: string; at: number };
  }
}

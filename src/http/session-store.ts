// express-session store in the database, so several app processes share sessions.
import session from 'express-session';
import type { SessionData } from 'express-session';
import type { Db } from '../db/connect.ts';
import type { Clock } from '../core/clock.ts';

const DEFAULT_TTL_MS = 7 * 24 * 3600 * 1000;

export class PrismaSessionStore extends session.Store {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
  ) {
    super();
  }

  /**
   * The server-side expiry follows the injected clock: now + the cookie's max age (renewed on every
   * request, rolling). The cookie's own Expires attribute is for the browser, which has its own clock.
   */
  private expiry(sess: SessionData): Date {
    return new Date(this.clock.now().getTime() + (sess.cookie?.originalMaxAge ?? DEFAULT_TTL_MS));
  }

  get(sid: string, cb: (err: unknown, session?: SessionData | null) => void): void {
    this.db.session
      .findUnique({ where: { sid } })
      .then((row) => cb(null, row && row.expiresAt > this.clock.now() ? (JSON.parse(row.data) as SessionData) : null))
      .catch(cb);
  }

  set(sid: string, sess: SessionData, cb?: (err?: unknown) => void): void {
    const data = JSON.stringify(sess);
    const memberId = sess.memberId ?? null;
    const expiresAt = this.expiry(sess);
    this.db.session
      .upsert({ where: { sid }, create: { sid, data, memberId, expiresAt }, update: { data, memberId, expiresAt } })
      .then(() => cb?.())
      .catch((err) => cb?.(err));
  }

  touch(sid: string, sess: SessionData, cb?: (err?: unknown) => void): void {
    this.db.session
      .updateMany({ where: { sid }, data: { expiresAt: this.expiry(sess) } })
      .then(() => cb?.())
      .catch((err) => cb?.(err));
  }

  destroy(sid: string, cb?: (err?: unknown) => void): void {
    this.db.session
      .deleteMany({ where: { sid } })
      .then(() => cb?.())
      .catch((err) => cb?.(err));
  }
}

declare module 'express-session' {
  interface SessionData {
    memberId?: string;
    /** Time of the login on the injected clock (ms): sessions older than 12 h, or than a password change, are refused. */
    authAt?: number;
    csrfToken?: string;
    flash?: { kind: 'success' | 'error' | 'info'; text: string }[];
  }
}

// The sessions' rows in the database, so several app processes share sessions.
import type { Db } from '../db/connect.ts';
import type { Clock } from '../core/clock.ts';

/**
 * A request moves the session's server-side expiry forward (rolling) only when that moves it by at
 * least this much: a member clicking through pages costs no write per page. The idle timeout is
 * then between 30 minutes minus this and 30 minutes.
 */
export const TOUCH_GRANULARITY_MS = 60_000;
/** Expiries read by get(), by session id, so that touch() knows whether to write (bounded). */
const MAX_REMEMBERED = 10_000;

/**
 * A session row with its member, read in one statement by the accounts domain (wired by the
 * composition root): `member` is null when the session has none, or an erased one.
 */
export interface SessionRead<M> {
  data: string;
  expiresAt: Date;
  member: M | null;
  /** The modules' member facts (DomainModule.memberFacts), read in the same statement. */
  facts: Record<string, unknown>;
}

/** The session rows (session-middleware.ts reads and writes them through this). */
export class PrismaSessionStore {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly read: (sid: string) => Promise<SessionRead<{ id: string }> | null>,
  ) {}

  /** The server-side expiry follows the injected clock; the cookie's is for the browser, which has its own. */
  private expiry(maxAgeMs: number): Date {
    return new Date(this.clock.now().getTime() + maxAgeMs);
  }

  private readonly readExpiry = new Map<string, number>();

  private remember(sid: string, expiresAt: Date): void {
    this.readExpiry.delete(sid);
    this.readExpiry.set(sid, expiresAt.getTime());
    if (this.readExpiry.size > MAX_REMEMBERED) this.readExpiry.delete(this.readExpiry.keys().next().value as string);
  }

  /** The session and its member, or null when there is none or it has expired. */
  async get(sid: string): Promise<SessionRead<{ id: string }> | null> {
    const row = await this.read(sid);
    if (!row || row.expiresAt <= this.clock.now()) return null;
    this.remember(sid, row.expiresAt);
    return row;
  }

  async set(sid: string, data: string, memberId: string | null, maxAgeMs: number): Promise<void> {
    const expiresAt = this.expiry(maxAgeMs);
    this.remember(sid, expiresAt);
    await this.db.session.upsert({ where: { sid }, create: { sid, data, memberId, expiresAt }, update: { data, memberId, expiresAt } });
  }

  /**
   * Writes a session read earlier, if its row is still there (true); false when it was ended
   * meanwhile (a logout or a password change in another request): the caller decides what to keep.
   */
  async update(sid: string, data: string, memberId: string | null, maxAgeMs: number): Promise<boolean> {
    const expiresAt = this.expiry(maxAgeMs);
    const { count } = await this.db.session.updateMany({ where: { sid }, data: { data, memberId, expiresAt } });
    if (count) this.remember(sid, expiresAt);
    return count > 0;
  }

  /**
   * Moves the expiry forward (rolling), unless that moves it by less than TOUCH_GRANULARITY_MS:
   * then there is nothing to wait for (undefined), and the response need not wait a turn.
   */
  touch(sid: string, maxAgeMs: number): Promise<void> | undefined {
    const expiresAt = this.expiry(maxAgeMs);
    const known = this.readExpiry.get(sid);
    if (known !== undefined && expiresAt.getTime() - known < TOUCH_GRANULARITY_MS) return undefined;
    this.remember(sid, expiresAt);
    return this.db.session.updateMany({ where: { sid }, data: { expiresAt } }).then(() => undefined);
  }

  async destroy(sid: string): Promise<void> {
    this.readExpiry.delete(sid);
    await this.db.session.deleteMany({ where: { sid } });
  }
}

// Who is asking: loads the logged-in member, and guards routes by role.
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { Member, Role } from '../generated/prisma/client.ts';
import type { Clock } from '../core/clock.ts';
import type { GuardedArea } from '../core/module.ts';
import { ForbiddenError } from '../core/errors.ts';
import { memberReadWithSession } from './session-middleware.ts';
import type { SessionRead } from './session-store.ts';

/** The role matrix: which roles may enter each area. ADMIN may enter every area. */
export const AREA_ROLES: Record<GuardedArea, Role[]> = {
  member: ['MEMBER', 'STAFF', 'ACCOUNTANT', 'ADMIN'],
  staff: ['STAFF', 'ADMIN'],
  accountant: ['ACCOUNTANT', 'ADMIN'],
  admin: ['ADMIN'],
};

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request {
      member?: Member;
      /** The logged-in member's facts (DomainModule.memberFacts), when read with the session. */
      memberFacts?: Readonly<Record<string, unknown>>;
    }
  }
}

/** A login is valid 12 hours at most, whatever the activity (the cookie itself expires after 30 idle minutes). */
export const SESSION_ABSOLUTE_MS = 12 * 3600_000;

/** How the HTTP layer reaches the accounts domain without importing it (wired by the composition root). */
export interface MemberLookup {
  clock: Clock;
  /** The member behind a session id's member id, or null when it no longer exists (erased). */
  find(id: string): Promise<Member | null>;
  /** A session row and its member (null when erased) in one statement: the session store's read. */
  withSession(sid: string): Promise<SessionRead<Member> | null>;
  /** Called on each authenticated request; undefined when it had nothing to write. */
  touch(member: Member): Promise<void> | undefined;
}

export function loadMember(lookup: MemberLookup): RequestHandler {
  const done = (req: Request, res: Response, next: NextFunction) => {
    res.locals.member = req.member ?? null;
    // Pages for a logged-in person carry personal data: never kept by a browser or proxy cache.
    if (req.member) res.setHeader('Cache-Control', 'no-store');
    next();
  };
  const admit = (req: Request, res: Response, next: NextFunction, member: Member | null, facts?: Readonly<Record<string, unknown>>) => {
    const authAt = req.session.authAt ?? 0;
    const current =
      lookup.clock.now().getTime() - authAt < SESSION_ABSOLUTE_MS && (!member?.sessionsValidAfter || authAt >= member.sessionsValidAfter.getTime());
    if (member && current) {
      req.member = member;
      if (facts) req.memberFacts = facts;
      const touching = lookup.touch(member);
      if (touching) return void touching.then(() => done(req, res, next)).catch(next);
    } else {
      delete req.session.memberId;
      delete req.session.authAt;
    }
    done(req, res, next);
  };
  // Without a promise when nothing needs waiting for: the member was read with the session.
  return (req, res, next) => {
    const id = req.session?.memberId;
    if (!id) return done(req, res, next);
    // Read with the session by the store, in the same statement; looked up only if it was not.
    const read = memberReadWithSession<Member>(req);
    if (read?.member?.id === id) return admit(req, res, next, read.member, read.facts);
    lookup
      .find(id)
      .then((member) => admit(req, res, next, member))
      .catch(next);
  };
}

/**
 * A fact about the logged-in member read with the session (DomainModule.memberFacts), or undefined
 * when it must be read afresh: not read, another member, or a request that may have changed it
 * (the facts hold as of the start of the request; only GET and HEAD change nothing).
 */
export function memberFact(req: Request, memberId: string, name: string): unknown {
  if (req.method !== 'GET' && req.method !== 'HEAD') return undefined;
  if (req.member?.id !== memberId) return undefined;
  return req.memberFacts?.[name];
}

export function requireArea(area: GuardedArea): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    if (!req.member) {
      const back = req.method === 'GET' ? `?retour=${encodeURIComponent(req.originalUrl)}` : '';
      return res.redirect(303, `/connexion${back}`);
    }
    if (!AREA_ROLES[area].includes(req.member.role)) return next(new ForbiddenError());
    next();
  };
}

/** Only local paths are accepted as a return address: no open redirect. */
export function safeReturnPath(value: unknown, fallback = '/compte'): string {
  if (typeof value !== 'string') return fallback;
  if (!/^\/(?![/\\])[\w\-./?=&%]*$/.test(value)) return fallback;
  return value;
}

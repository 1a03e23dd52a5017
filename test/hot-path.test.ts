// The statements of every logged-in request run on the driver without Prisma's client
// (src/db/direct.ts, decision 0022): what they return must be what Prisma returns for the same rows,
// whatever the process's time zone, and the member read with the session must spare the second query.
import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Request } from 'express';
import { createTestApp } from './helpers/app.ts';
import type { TestApp } from './helpers/app.ts';
import { createMember } from '../src/dev/factories.ts';
import { sessionWithMember } from '../src/accounts/service.ts';
import { balanceOf, postCredit, shownBalance } from '../src/credit/ledger.ts';
import { loadMember } from '../src/http/auth.ts';
import { PrismaSessionStore } from '../src/http/session-store.ts';
import { memberReadWithSession, sessionMiddleware } from '../src/http/session-middleware.ts';
import type { Member } from '../src/generated/prisma/client.ts';

describe('statements of the logged-in request', () => {
  let t: TestApp;
  let member: Member;
  beforeAll(async () => {
    t = await createTestApp();
    const created = await createMember(t.deps, { addressLine2: null as unknown as string });
    const at = t.clock.now();
    member = await t.deps.db.member.update({
      where: { id: created.member.id },
      data: { inactivityWarnedAt: at, sessionsValidAfter: new Date(at.getTime() - 1234), newsletterOptIn: true },
    });
    await t.deps.db.session.create({
      data: {
        sid: 'hot-1',
        data: JSON.stringify({ cookie: {}, memberId: member.id }),
        memberId: member.id,
        expiresAt: new Date(at.getTime() + 60_000),
      },
    });
    await t.deps.db.session.create({
      data: {
        sid: 'hot-anon',
        data: JSON.stringify({ cookie: {}, cart: [] }),
        memberId: null,
        expiresAt: new Date(at.getTime() + 60_000),
      },
    });
  });
  afterAll(() => t.close());

  it('reads the session row and the member Prisma reads, every column with its type, in any time zone', async () => {
    const zone = process.env.TZ;
    try {
      for (const tz of ['UTC', 'America/Sao_Paulo', 'Asia/Kolkata']) {
        process.env.TZ = tz;
        const read = await sessionWithMember(t.deps, 'hot-1');
        expect(read!.member, tz).toEqual(await t.deps.db.member.findUnique({ where: { id: member.id } }));
        expect(read!.member!.createdAt).toBeInstanceOf(Date);
        const row = await t.deps.db.session.findUniqueOrThrow({ where: { sid: 'hot-1' } });
        expect({ data: read!.data, expiresAt: read!.expiresAt }, tz).toEqual({
          data: row.data,
          expiresAt: row.expiresAt,
        });
      }
    } finally {
      if (zone === undefined) delete process.env.TZ;
      else process.env.TZ = zone;
    }
  });

  it('gives no member for a session without one, and no row for an unknown session', async () => {
    expect(await sessionWithMember(t.deps, 'hot-anon')).toMatchObject({ member: null, facts: {} });
    expect(await sessionWithMember(t.deps, 'nope')).toBeNull();
  });

  it('shows the balance the ledger holds, read with the session or on its own', async () => {
    const get = (facts: Record<string, unknown> | undefined, method = 'GET', who = member) =>
      ({ method, member: who, memberFacts: facts }) as unknown as Request;
    const fresh = async (req: Request) => shownBalance(t.deps, req, member.id);
    expect((await sessionWithMember(t.deps, 'hot-1'))!.facts).toEqual({ balanceCents: 0 });
    expect(await fresh(get(undefined))).toBe(0);
    await t.deps.db.$transaction((tx) =>
      postCredit(tx, {
        memberId: member.id,
        amountCents: 1234,
        kind: 'ADJUSTMENT',
        label: 'test',
        idempotencyKey: 'hot-path-1',
        at: t.clock.now(),
      }),
    );
    expect((await sessionWithMember(t.deps, 'hot-1'))!.facts).toEqual({ balanceCents: 1234 });
    expect(await fresh(get(undefined))).toBe(await balanceOf(t.deps.db, member.id));
    expect(await fresh(get(undefined))).toBe(1234);
    // The fact read with the session is the balance of a GET, with no query of its own…
    const noQuery = { direct: { rows: () => Promise.reject(new Error('a query')) } };
    expect(await shownBalance(noQuery, get({ balanceCents: 77 }), member.id)).toBe(77);
    // …but a POST may have changed it, and another member's balance is not this one's fact.
    expect(await fresh(get({ balanceCents: 77 }, 'POST'))).toBe(1234);
    expect(await fresh(get({ balanceCents: 77 }, 'GET', { ...member, id: '00000000-0000-4000-8000-000000000000' }))).toBe(1234);
  });

  it('the member read with the session is the request’s member: no second query', async () => {
    const store = new PrismaSessionStore(t.deps.db, t.clock, (sid) => sessionWithMember(t.deps, sid));
    const secret = 'un secret de session assez long pour le test';
    const signature = createHmac('sha256', secret).update('hot-1').digest('base64').replace(/=+$/, '');
    const req = { headers: { cookie: `autre=1; cps.sid=${encodeURIComponent(`s:hot-1.${signature}`)}` } } as Request;
    const res = { locals: {} as Record<string, unknown>, setHeader: () => {}, writeHead: () => {}, end: () => {} };
    const sessions = sessionMiddleware({ name: 'cps.sid', secret, store, maxAgeMs: 60_000, secure: false });
    await new Promise<void>((resolve, reject) =>
      sessions(req, res as never, (err?: unknown) => (err ? reject(err as Error) : resolve())),
    );
    expect(req.sessionID).toBe('hot-1');
    // What is compared and saved holds no trace of the member, nor express-session's cookie settings.
    expect(JSON.parse(JSON.stringify(req.session))).toEqual({ memberId: member.id });
    expect(memberReadWithSession<Member>(req)!.member!.id).toBe(member.id);

    const lookup = {
      clock: t.clock,
      find: () => Promise.reject(new Error('a second query')),
      withSession: () => Promise.reject(new Error('not here')),
      touch: async () => {},
    };
    req.session.memberId = member.id;
    req.session.authAt = t.clock.now().getTime();
    await new Promise<void>((resolve, reject) =>
      loadMember(lookup)(req, res as never, (err?: unknown) => (err ? reject(err as Error) : resolve())),
    );
    expect(req.member!.id).toBe(member.id);
    expect(req.memberFacts).toEqual({ balanceCents: 1234 });
    expect(res.locals.member).toBe(req.member);
  });
});

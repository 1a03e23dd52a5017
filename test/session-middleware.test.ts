// The session middleware (src/http/session-middleware.ts) on the real session table: the cookie
// express-session wrote is still read, a forged one is not; a session is stored only once it holds
// something and written again only when it changed, always before the response ends; a new id at
// login, nothing left after logout, and no login brought back by a request that read the session
// before the logout and writes it after; a failed write is an error page, not a lost session.
import { createHmac } from 'node:crypto';
import express from 'express';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp } from './helpers/app.ts';
import type { TestApp } from './helpers/app.ts';
import { PrismaSessionStore } from '../src/http/session-store.ts';
import { sessionMiddleware, readCookie } from '../src/http/session-middleware.ts';
import { sessionWithMember } from '../src/accounts/service.ts';

const SECRET = 'un secret de session pour ce test, assez long';
const signed = (sid: string) => `s:${sid}.${createHmac('sha256', SECRET).update(sid).digest('base64').replace(/=+$/, '')}`;
const cookieOf = (res: request.Response) => (res.headers['set-cookie'] as unknown as string[] | undefined)?.find((c) => c.startsWith('sid='));

describe('session middleware', () => {
  let t: TestApp;
  let store: PrismaSessionStore;
  let app: express.Express;
  let failWrites = false;
  beforeAll(async () => {
    t = await createTestApp();
    store = new PrismaSessionStore(t.deps.db, t.clock, (sid) => sessionWithMember(t.deps, sid));
    const failing = Object.create(store) as PrismaSessionStore;
    failing.set = (...args) => (failWrites ? Promise.reject(new Error('écriture refusée')) : store.set(...args));
    failing.update = (...args) => (failWrites ? Promise.reject(new Error('écriture refusée')) : store.update(...args));
    app = express();
    app.set('trust proxy', true);
    app.use(sessionMiddleware({ name: 'sid', secret: SECRET, store: failing, maxAgeMs: 30 * 60_000, secure: false }));
    app.get('/lire', (req, res) => void res.json({ id: req.sessionID, data: req.session }));
    app.post('/ecrire/:v', (req, res) => {
      req.session.csrfToken = req.params.v;
      res.redirect(303, '/lire');
    });
    app.post('/connexion', (req, res, next) =>
      req.session.regenerate((err) => {
        if (err) return next(err);
        req.session.authAt = 1;
        res.send('ok');
      }),
    );
    // A request that began before a logout in another tab, and writes its session after it.
    app.post('/ecrire-apres-deconnexion/:v', async (req, res) => {
      await store.destroy(req.sessionID);
      req.session.csrfToken = req.params.v;
      res.redirect(303, '/lire');
    });
    app.post('/deconnexion', (req, res, next) => req.session.destroy((err) => (err ? next(err) : res.send('bye'))));
    // As res.page does for a page with a form: a new session on the same response, after the logout.
    const sessions = sessionMiddleware({ name: 'sid', secret: SECRET, store, maxAgeMs: 30 * 60_000, secure: false });
    app.post('/deconnexion-puis-formulaire', (req, res, next) =>
      req.session.destroy((err) => {
        if (err) return next(err);
        sessions(req, res, (e?: unknown) => {
          if (e) return next(e);
          req.session.csrfToken = 'nouveau';
          res.send('formulaire');
        });
      }),
    );
    app.use((err: Error, _req: express.Request, res: express.Response, _next: express.NextFunction) => void res.status(500).send(err.message));
  });
  afterAll(() => t.close());

  const row = (sid: string) => t.deps.db.session.findUnique({ where: { sid } });

  it('reads a session written by express-session (its cookie settings dropped), and refuses a forged signature', async () => {
    await t.deps.db.session.create({
      data: {
        sid: 'ancienne',
        data: JSON.stringify({ cookie: { originalMaxAge: 1800000, httpOnly: true, path: '/' }, csrfToken: 'jeton' }),
        expiresAt: new Date(t.clock.now().getTime() + 60_000),
      },
    });
    const res = await request(app).get('/lire').set('Cookie', `a=b; sid=${encodeURIComponent(signed('ancienne'))}`);
    expect(res.body).toEqual({ id: 'ancienne', data: { csrfToken: 'jeton' } });
    // The stored session's cookie goes out again, 30 minutes from now, with its attributes.
    expect(cookieOf(res)).toMatch(/^sid=s%3Aancienne\.[\w%+/]+; Path=\/; Expires=[^;]+ GMT; HttpOnly; SameSite=Lax$/);
    // Unchanged: not written again (the row keeps express-session's text).
    expect((await row('ancienne'))!.data).toContain('"cookie"');

    const forged = await request(app).get('/lire').set('Cookie', `sid=${encodeURIComponent(signed('ancienne').slice(0, -2) + 'AA')}`);
    expect(forged.body.id).not.toBe('ancienne');
    expect(forged.body.data).toEqual({});
    expect(cookieOf(forged)).toBeUndefined();
    const unsigned = await request(app).get('/lire').set('Cookie', 'sid=ancienne');
    expect(unsigned.body.id).not.toBe('ancienne');
  });

  it('stores a new session only once it holds something, before the redirect goes out', async () => {
    const before = await t.deps.db.session.count();
    expect(cookieOf(await request(app).get('/lire'))).toBeUndefined();
    expect(await t.deps.db.session.count()).toBe(before);

    const agent = request.agent(app);
    const written = await agent.post('/ecrire/un');
    expect(written.status).toBe(303);
    expect(cookieOf(written)).toBeDefined();
    const read = await agent.get('/lire');
    expect(read.body.data).toEqual({ csrfToken: 'un' });
    expect(JSON.parse((await row(read.body.id))!.data)).toEqual({ csrfToken: 'un' });
    await agent.post('/ecrire/deux');
    expect(JSON.parse((await row(read.body.id))!.data)).toEqual({ csrfToken: 'deux' });
  });

  it('gives a new id at login (the old row deleted, the data reset) and leaves nothing after logout', async () => {
    const agent = request.agent(app);
    await agent.post('/ecrire/avant');
    const before = (await agent.get('/lire')).body.id as string;
    const login = await agent.post('/connexion');
    expect(login.text).toBe('ok');
    expect(cookieOf(login)).toBeDefined();
    expect(await row(before)).toBeNull();
    const after = (await agent.get('/lire')).body;
    expect(after.id).not.toBe(before);
    expect(after.data).toEqual({ authAt: 1 });
    await agent.post('/deconnexion');
    expect(await row(after.id)).toBeNull();
  });

  it('starts a new session on the same response after a logout (a page with a form), with its cookie', async () => {
    const agent = request.agent(app);
    await agent.post('/ecrire/avant');
    const before = (await agent.get('/lire')).body.id as string;
    const res = await agent.post('/deconnexion-puis-formulaire');
    expect(res.status).toBe(200);
    expect(res.text).toBe('formulaire');
    expect(await row(before)).toBeNull();
    expect(cookieOf(res)).toBeDefined();
    const after = (await agent.get('/lire')).body;
    expect(after.id).not.toBe(before);
    expect(after.data).toEqual({ csrfToken: 'nouveau' });
  });

  it('does not log in again a session a logout ended while a request that read it was still running', async () => {
    const agent = request.agent(app);
    await agent.post('/connexion');
    const before = (await agent.get('/lire')).body;
    expect(before.data).toEqual({ authAt: 1 });
    const res = await agent.post('/ecrire-apres-deconnexion/tard');
    expect(res.status).toBe(303);
    // What the late request wrote is kept (a message, a form token), the login is not.
    expect(JSON.parse((await row(before.id))!.data)).toEqual({ csrfToken: 'tard' });
    const after = (await agent.get('/lire')).body;
    expect(after.data).toEqual({ csrfToken: 'tard' });
  });

  it('answers an error instead of a success when the session cannot be written, new or read from the store', async () => {
    const refusedWrite = async (agent: ReturnType<typeof request.agent>) => {
      failWrites = true;
      try {
        const res = await agent.post('/ecrire/perdu');
        expect(res.status).toBe(500);
        expect(res.text).toBe('écriture refusée');
        return res.headers['set-cookie'];
      } finally {
        failWrites = false;
      }
    };
    // A new session that could not be written gets no cookie: it names no row.
    expect(await refusedWrite(request.agent(app))).toBeUndefined();
    const agent = request.agent(app);
    await agent.post('/ecrire/avant');
    // A stored one keeps its cookie (its row is still there; the cookie's expiry moves on).
    expect(await refusedWrite(agent)).toHaveLength(1);
    expect((await agent.get('/lire')).body.data).toEqual({ csrfToken: 'avant' });
  });

  it('starts a new, empty session over a row that holds no session data, instead of failing the request', async () => {
    for (const [sid, data] of [['abimee', '{pas du json'], ['nulle', 'null'], ['liste', '[1]'], ['avec-id', '{"id":"x"}']]) {
      await t.deps.db.session.create({ data: { sid, data, expiresAt: new Date(t.clock.now().getTime() + 60_000) } });
      const res = await request(app).get('/lire').set('Cookie', `sid=${encodeURIComponent(signed(sid))}`);
      expect(res.status, sid).toBe(200);
      expect(res.body.id, sid).not.toBe(sid);
      expect(res.body.data, sid).toEqual({});
    }
  });

  it('reads the first cookie of that name, decoded, whatever the spacing', () => {
    expect(readCookie('a=1;sid=s%3Ax.y; sid=autre', 'sid')).toBe('s:x.y');
    expect(readCookie(' sid = "v" ', 'sid')).toBe('v');
    expect(readCookie('xsid=1; sidx=2', 'sid')).toBeUndefined();
    expect(readCookie('sid=%E0%A4%A', 'sid')).toBe('%E0%A4%A');
    expect(readCookie(undefined, 'sid')).toBeUndefined();
  });
});

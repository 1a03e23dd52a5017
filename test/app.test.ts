import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import request from 'supertest';
import { createTestApp, formToken } from './helpers/app.ts';
import type { TestApp } from './helpers/app.ts';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());

describe('the public site', () => {
  for (const [path, text] of [
    ['/', 'Bienvenue au Club Petites Stars'],
    ['/confidentialite', 'Politique de confidentialité'],
    ['/mentions-legales', 'Mentions légales'],
  ]) {
    it(`${path} answers in French and sets no cookie`, async () => {
      const res = await request(t.app).get(path);
      expect(res.status).toBe(200);
      expect(res.text).toContain('<html lang="fr">');
      expect(res.text).toContain(text);
      expect(res.headers['set-cookie']).toBeUndefined();
    });
  }

  it('shows the policy version and its update date', async () => {
    const res = await request(t.app).get('/confidentialite');
    expect(res.text).toMatch(/Version 2026-12-03 — dernière mise à jour le 3 décembre 2026/);
    // The contact for the other rights is the configured one (PRIVACY_EMAIL), and the page points to the terms of use.
    expect(res.text).toContain(`href="mailto:${t.deps.config.privacyEmail}"`);
    expect(res.text).toContain('href="/conditions-utilisation"');
  });

  it('says Mailchimp receives the e-mail address only (decision 0076)', async () => {
    const res = await request(t.app).get('/confidentialite');
    expect(res.text).toContain('<strong>votre adresse électronique, et rien d’autre</strong>');
    expect(res.text).not.toMatch(/prénom et votre nom/);
  });

  it('serves a French 404 page without a cookie', async () => {
    const res = await request(t.app).get('/nulle-part');
    expect(res.status).toBe(404);
    expect(res.text).toContain('Page introuvable');
    expect(res.headers['set-cookie']).toBeUndefined();
  });

  it('sends a strict Content-Security-Policy and no X-Powered-By', async () => {
    const res = await request(t.app).get('/');
    const csp = res.headers['content-security-policy'];
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    expect(res.headers['x-powered-by']).toBeUndefined();
    expect(res.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('references only its own origin from the page (no third-party asset)', async () => {
    const res = await request(t.app).get('/');
    const urls = [...res.text.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]);
    expect(urls.length).toBeGreaterThan(3);
    for (const u of urls) expect(u).toMatch(/^(\/|#|mailto:)/);
  });

  it('serves the self-hosted stylesheet without a cookie', async () => {
    const res = await request(t.app).get('/static/pico/pico.min.css');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toContain('text/css');
    expect(res.headers['set-cookie']).toBeUndefined();
  });

  it('/healthz and /readyz answer while the database is up', async () => {
    expect((await request(t.app).get('/healthz')).status).toBe(200);
    expect((await request(t.app).get('/readyz')).status).toBe(200);
  });
});

describe('sessions and CSRF', () => {
  it('sets the session cookie only when a form needs it, HttpOnly and SameSite=Lax', async () => {
    const res = await request(t.app).get('/connexion');
    const cookie = res.headers['set-cookie']?.[0] ?? '';
    expect(cookie).toMatch(/^cps\.sid=/);
    expect(cookie).toContain('HttpOnly');
    expect(cookie).toContain('SameSite=Lax');
    expect(cookie).not.toContain('Secure');
  });

  it('refuses a POST without a CSRF token with 403', async () => {
    const res = await request(t.app).post('/connexion').type('form').send({ email: 'a@b.fr', password: 'x' });
    expect(res.status).toBe(403);
    expect(res.text).toContain('Le formulaire a expiré');
  });

  it('refuses a POST whose token belongs to another session', async () => {
    const a = request.agent(t.app);
    const b = request.agent(t.app);
    const tokenA = await formToken(a, '/connexion');
    await formToken(b, '/connexion');
    const res = await b.post('/connexion').type('form').send({ _csrf: tokenA, email: 'a@b.fr', password: 'x' });
    expect(res.status).toBe(403);
  });

  it('accepts a POST with the session token (and answers the form)', async () => {
    const a = request.agent(t.app);
    const token = await formToken(a, '/connexion');
    const res = await a.post('/connexion').type('form').send({ _csrf: token, email: 'inconnu@exemple.fr', password: 'mauvais mot de passe' });
    expect(res.status).toBe(422);
    expect(res.text).toContain('Adresse électronique ou mot de passe incorrect.');
    expect(res.text).toContain('value="inconnu@exemple.fr"');
  });

  it('marks the cookie Secure in production', async () => {
    const prod = await createTestApp({ config: { NODE_ENV: 'production', TRUST_PROXY: '1', SMTP_URL: 'smtp://127.0.0.1:1', PUBLIC_URL: 'https://club.test', SELLER_EMAIL: 'contact@club.test', PRIVACY_EMAIL: 'dpo@club.test' } });
    try {
      const res = await request(prod.app).get('/connexion').set('X-Forwarded-Proto', 'https');
      expect(res.headers['set-cookie']?.[0]).toContain('Secure');
      expect(res.headers['strict-transport-security']).toBeDefined();
    } finally {
      await prod.close();
    }
  });
});

describe('logs', () => {
  it('every request line carries a request id, and query strings (tokens) are not logged', async () => {
    t.logs.length = 0;
    await request(t.app).get('/mot-de-passe/reinitialiser?jeton=SECRET-TOKEN-VALUE');
    const lines = t.logs.map((l) => JSON.parse(l));
    const reqLine = lines.find((l) => l.req);
    expect(reqLine.req.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(reqLine.req.url).toBe('/mot-de-passe/reinitialiser');
    expect(t.logs.join('')).not.toContain('SECRET-TOKEN-VALUE');
  });

  it('redacts personal keys wherever they appear', () => {
    t.logs.length = 0;
    t.deps.logger.info({ email: 'perso@exemple.fr', user: { lastName: 'Dupont' } }, 'test');
    expect(t.logs.join('')).not.toMatch(/perso@exemple\.fr|Dupont/);
  });
});

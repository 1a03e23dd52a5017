// Every version of the privacy policy a member may have accepted stays readable: the list of
// versions in code, the archived texts, the public pages, and the links from "Mes données".
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import request from 'supertest';
import { createTestApp, loginAgent } from './helpers/app.ts';
import type { TestApp } from './helpers/app.ts';
import { createMember } from '../src/dev/factories.ts';
import { formatDate } from '../src/core/dates.ts';
import { archivedPolicyView, POLICY_UPDATED, POLICY_VERSION, POLICY_VERSIONS, policyTextHref } from '../src/privacy/policy.ts';

const VIEWS = path.resolve(import.meta.dirname, '../views');
const ARCHIVE = path.join(VIEWS, 'privacy', 'versions');
const CURRENT_PAGE = path.join(VIEWS, 'pages', 'confidentialite.ejs');
const archivedFile = (version: string) => path.join(VIEWS, `${archivedPolicyView(version)}.ejs`);
/** An archived text without the comment that opens it (where it comes from). */
const archivedText = (version: string) => readFileSync(archivedFile(version), 'utf8').replace(/^<%#[\s\S]*?%>\n/, '');

const past = POLICY_VERSIONS.slice(0, -1);
const current = POLICY_VERSIONS.at(-1)!;

describe('the list of policy versions (src/privacy/policy.ts)', () => {
  it('ends with the version in force: POLICY_VERSION, and POLICY_UPDATED is its day', () => {
    expect(current.version).toBe(POLICY_VERSION);
    expect(POLICY_UPDATED.toISOString()).toBe(`${current.inForceFrom}T00:00:00.000Z`);
  });

  it('never loses a version that was published (members accepted them)', () => {
    expect(POLICY_VERSIONS.map((v) => v.version)).toEqual(expect.arrayContaining(['2026-11-25', '2026-12-02', '2026-12-03']));
  });

  it('is in date order, one entry per version and per day, each with a one-line French summary', () => {
    const days = POLICY_VERSIONS.map((v) => v.inForceFrom);
    for (const d of days) expect(d).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(days).toEqual([...days].sort());
    expect(new Set(days).size).toBe(days.length);
    expect(new Set(POLICY_VERSIONS.map((v) => v.version)).size).toBe(POLICY_VERSIONS.length);
    for (const v of POLICY_VERSIONS) {
      expect(v.version, v.version).toMatch(/^[0-9a-z-]+$/);
      expect(v.summary.trim().length, v.version).toBeGreaterThan(20);
      expect(v.summary, v.version).not.toMatch(/\n/);
    }
  });

  // Bumping POLICY_VERSION (and adding it to the list) without archiving the text it replaces fails here.
  it('every version before the one in force has its archived text; the one in force is the policy page', () => {
    expect(existsSync(CURRENT_PAGE)).toBe(true);
    const missing = past.filter((v) => !existsSync(archivedFile(v.version))).map((v) => v.version);
    expect(missing, `archive views/pages/confidentialite.ejs of ${missing.join(', ')} in views/privacy/versions/ (views/privacy/versions/README.md)`).toEqual([]);
  });

  it('each archived text is a version of the policy page, not the page in force copied again; no archive beside the list', () => {
    const currentPage = readFileSync(CURRENT_PAGE, 'utf8');
    for (const v of past) {
      const text = archivedText(v.version);
      expect(text, v.version).toMatch(/^<h1>Politique de confidentialité<\/h1>/);
      expect(text, v.version).not.toBe(currentPage);
    }
    const files = readdirSync(ARCHIVE).filter((f) => f.endsWith('.ejs'));
    expect(files.sort()).toEqual(past.map((v) => `${v.version}.ejs`).sort());
  });

  it('links each version to its text; an unknown one to nothing', () => {
    expect(policyTextHref(POLICY_VERSION)).toBe('/confidentialite');
    for (const v of past) expect(policyTextHref(v.version)).toBe(`/confidentialite/versions/${v.version}`);
    expect(policyTextHref('1999-01-01')).toBeNull();
  });
});

describe('the public pages', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t?.close());

  /** The text of a page without its tags and with plain spaces. */
  const words = (html: string) => html.replace(/<[^>]*>/g, '').replace(/[\u00a0\u202f]/g, ' ').replace(/\s+/g, ' ');

  it('/confidentialite links to the list of versions', async () => {
    const page = await request(t.app).get('/confidentialite');
    expect(page.status).toBe(200);
    expect(page.text).toContain('<a href="/confidentialite/versions">Versions précédentes</a>');
  });

  it('/confidentialite/versions lists every version, newest first, with its dates, summary and link', async () => {
    const page = await request(t.app).get('/confidentialite/versions');
    expect(page.status).toBe(200);
    expect(page.text).toContain('<h1>Versions de la politique de confidentialité</h1>');
    const links = [...page.text.matchAll(/<h2><a href="([^"]*)">Version du ([^<]*)<\/a>/g)].map((m) => [m[1], m[2]]);
    expect(links).toEqual([...POLICY_VERSIONS].reverse().map((v) => [policyTextHref(v.version), formatDate(v.inForceFrom)]));
    expect(links[0][0]).toBe('/confidentialite');
    const text = words(page.text);
    POLICY_VERSIONS.forEach((v, i) => {
      expect(page.text).toContain(v.summary.replace(/'/g, '&#39;'));
      const next = POLICY_VERSIONS[i + 1];
      expect(text).toContain(next ? `En vigueur du ${formatDate(v.inForceFrom)} au ${formatDate(next.inForceFrom)}` : `En vigueur depuis le ${formatDate(v.inForceFrom)}`);
    });
  });

  it('/confidentialite/versions/<version> shows the archived text under a banner naming the version that replaced it', async () => {
    expect(past.length).toBeGreaterThan(0);
    for (const [i, v] of past.entries()) {
      const next = POLICY_VERSIONS[i + 1];
      const page = await request(t.app).get(`/confidentialite/versions/${v.version}`);
      expect(page.status, v.version).toBe(200);
      expect(page.text).toContain('<meta name="robots" content="noindex">');
      const text = words(page.text);
      expect(text).toContain(`Version du ${formatDate(v.inForceFrom)}, remplacée le ${formatDate(next.inForceFrom)} par la version du ${formatDate(next.inForceFrom)}.`);
      expect(page.text).toContain(`<a href="${policyTextHref(next.version)}">version du ${formatDate(next.inForceFrom)}</a>`);
      expect(page.text).toContain('<a href="/confidentialite">Lire la politique de confidentialité en vigueur</a>');
      // The banner comes first, then the text with its own version line.
      expect(page.text.indexOf('class="archive-banner"')).toBeLessThan(page.text.indexOf('<h1>Politique de confidentialité</h1>'));
      expect(text).toContain(`Version ${v.version} — dernière mise à jour le ${formatDate(v.inForceFrom)}.`);
    }
  });

  it('the archived texts say what they said then', async () => {
    const first = words((await request(t.app).get('/confidentialite/versions/2026-11-25')).text);
    expect(first).toContain('la boutique n’est pas encore ouverte');
    expect(first).toContain('écrivez à dpo@clubpetitesstars.example');
    expect(first).toContain(`supprimé après ${t.deps.config.retention.unconfirmedDays} jours`);
    const second = words((await request(t.app).get('/confidentialite/versions/2026-12-02')).text);
    expect(second).toContain('le site lui transmet votre adresse électronique, votre prénom et votre nom');
    expect(second).not.toContain('la boutique n’est pas encore ouverte');
  });

  it('the version in force is the policy page; an unknown version is the 404 page', async () => {
    const now = await request(t.app).get(`/confidentialite/versions/${POLICY_VERSION}`);
    expect(now.status).toBe(302);
    expect(now.headers.location).toBe('/confidentialite');
    for (const unknown of ['1999-01-01', '2026-12-04', 'home', '..%2Fpages%2Fhome', '2026-11-25.ejs']) {
      const page = await request(t.app).get(`/confidentialite/versions/${unknown}`);
      expect(page.status, unknown).toBe(404);
      expect(page.text, unknown).toContain('<h1>Page introuvable</h1>');
    }
  });

  it('"Mes données" links each consent’s policy version to its text; the JSON keeps the version string', async () => {
    const m = await createMember(t.deps, { newsletter: true });
    const givenAt = new Date(t.clock.now().getTime() - 30 * 24 * 3600_000);
    await t.deps.db.consent.create({ data: { memberId: m.member.id, kind: 'newsletter', policyVersion: past[0].version, givenAt, withdrawnAt: givenAt } });
    await t.deps.db.consent.create({ data: { memberId: m.member.id, kind: 'newsletter', policyVersion: 'inconnue', givenAt, withdrawnAt: givenAt } });
    const agent = await loginAgent(t.app, m.email, m.password);
    const page = await agent.get('/compte/donnees');
    expect(page.status).toBe(200);
    const section = /<section aria-labelledby="s-consentements">[\s\S]*?<\/section>/.exec(page.text)?.[0] ?? '';
    expect(section).toContain(`<a href="/confidentialite">${POLICY_VERSION}</a>`);
    expect(section).toContain(`<a href="/confidentialite/versions/${past[0].version}">${past[0].version}</a>`);
    expect(section).toMatch(/>\s*inconnue\s*</);
    expect(section).not.toContain('href="/confidentialite/versions/inconnue"');
    const data = JSON.parse((await agent.get('/compte/donnees/telecharger')).text) as { consentements: { policyVersion: string }[] };
    expect(data.consentements.map((c) => c.policyVersion).sort()).toEqual([POLICY_VERSION, POLICY_VERSION, past[0].version, 'inconnue'].sort());
  });
});

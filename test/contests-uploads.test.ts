// Contest uploads (decision 0070): the rules PDF (checked by content, served as a sandboxed
// download, public only once the contest is published, frozen at publication) and the prizes'
// pictures (the catalogue's WebP pipeline), through the staff forms.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import request from 'supertest';
import sharp from 'sharp';
import { createTestApp, csrfOf, daysFromNow, loginAgent } from './helpers/app.ts';
import type { TestApp } from './helpers/app.ts';
import { createMember } from '../src/dev/factories.ts';
import { addPrize, createContest, publishContest } from '../src/contests/service.ts';
import { checkPdf, rulesDir, simplePdf } from '../src/contests/files.ts';
import { imagesDir, variantName } from '../src/shop/images.ts';

let t: TestApp;
let staff: Awaited<ReturnType<typeof createMember>>;
let member: Awaited<ReturnType<typeof createMember>>;
let agent: ReturnType<typeof request.agent>;
beforeAll(async () => {
  t = await createTestApp();
  staff = await createMember(t.deps, {}, { role: 'STAFF' });
  member = await createMember(t.deps, {});
  agent = await loginAgent(t.app, staff.email, staff.password);
});
afterAll(() => t.close());

async function draft(title: string) {
  const c = await createContest(t.deps, staff.member.id, {
    title, description: 'Un concours de test.', question: null, opensAt: daysFromNow(t, -1), closesAt: daysFromNow(t, 5),
    drawAt: daysFromNow(t, 6), reserves: 1, claimDays: 14,
  });
  const prize = await addPrize(t.deps, staff.member.id, c.id, { name: 'Peluche étoile', quantity: 1, unitCostCents: 1500 });
  return { c, prize };
}

const pdf = simplePdf('Règlement — concours d’essai', ['Article 1 — Un jeu gratuit (sans obligation d’achat) : 5 € de lots.']);
const png = (w: number, h: number) => sharp({ create: { width: w, height: h, channels: 3, background: '#e58fb1' } }).png().toBuffer();

async function upload(url: string, field: string, data: Buffer, filename: string) {
  const token = csrfOf((await agent.get(url.replace(/\/(reglement|lots\/[^/]+\/image)$/, ''))).text);
  return agent.post(url).field('_csrf', token).attach(field, data, filename);
}

describe('the rules PDF', () => {
  it('the hand-made PDF is a well-formed one-page PDF', () => {
    const text = pdf.toString('latin1');
    expect(text.startsWith('%PDF-1.4')).toBe(true);
    expect(pdf.length).toBeLessThan(1200);
    // every xref offset points at its object
    const offsets = [...text.matchAll(/^(\d{10}) 00000 n $/gm)].map((m) => Number(m[1]));
    expect(offsets).toHaveLength(5);
    offsets.forEach((o, i) => expect(text.slice(o, o + 8)).toBe(`${i + 1} 0 obj\n`));
    const startxref = Number(/startxref\n(\d+)/.exec(text)![1]);
    expect(text.slice(startxref, startxref + 4)).toBe('xref');
    const len = Number(/\/Length (\d+)/.exec(text)![1]);
    const s = text.indexOf('stream\n') + 7;
    expect(text.slice(s + len, s + len + 10)).toBe('\nendstream');
    expect(text).toContain('(R\xe8glement \x97 concours d\x92essai)'); // WinAnsi: è, em dash, apostrophe
    expect(text).toContain('\\(sans obligation d\x92achat\\) : 5 \x80');
    expect(() => checkPdf(pdf)).not.toThrow();
  });

  it('is accepted on a draft, 404 publicly until published, then served as a sandboxed download; frozen once published', async () => {
    const { c } = await draft('Concours au règlement');
    const ok = await upload(`/gestion/concours/${c.id}/reglement`, 'rules', pdf, 'reglement.pdf');
    expect(ok.status).toBe(303);
    const row = await t.deps.db.contest.findUniqueOrThrow({ where: { id: c.id } });
    expect(row.rulesFile).toMatch(new RegExp(`^${c.publicId}-rules-[0-9a-f]{16}\\.pdf$`));
    expect(existsSync(path.join(rulesDir(t.deps.config), row.rulesFile!))).toBe(true);
    // a draft: nothing public, but staff can read it
    expect((await request(t.app).get(`/concours/${c.slug}/reglement.pdf`)).status).toBe(404);
    const own = await agent.get(`/gestion/concours/${c.id}/reglement.pdf`).buffer(true).parse((res, cb) => {
      const chunks: Buffer[] = [];
      res.on('data', (d: Buffer) => chunks.push(d));
      res.on('end', () => cb(null, Buffer.concat(chunks)));
    });
    expect(own.status).toBe(200);
    expect(own.headers['cache-control']).toBe('private, no-store');
    expect((await request(t.app).get(`/gestion/concours/${c.id}/reglement.pdf`)).status).not.toBe(200);

    await publishContest(t.deps, staff.member.id, c.id);
    const res = await request(t.app).get(`/concours/${c.slug}/reglement.pdf`).buffer(true).parse((r, cb) => {
      const chunks: Buffer[] = [];
      r.on('data', (d: Buffer) => chunks.push(d));
      r.on('end', () => cb(null, Buffer.concat(chunks)));
    });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/pdf');
    expect(res.headers['content-disposition']).toBe(`attachment; filename="reglement-${c.slug}.pdf"`);
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['content-security-policy']).toBe("default-src 'none'; sandbox");
    expect(res.headers['set-cookie']).toBeUndefined();
    expect(Buffer.compare(res.body as Buffer, pdf)).toBe(0);
    const page = await request(t.app).get(`/concours/${c.slug}`);
    expect(page.text).toContain(`href="/concours/${c.slug}/reglement.pdf"`);

    // replacing the rules once published is refused, and the staff page says so
    const staffPage = await agent.get(`/gestion/concours/${c.id}`);
    expect(staffPage.text).toContain('Le règlement est figé depuis la publication');
    expect(staffPage.text).not.toContain(`/gestion/concours/${c.id}/reglement"`);
    const token = csrfOf(staffPage.text);
    const again = await agent.post(`/gestion/concours/${c.id}/reglement`).field('_csrf', token).attach('rules', simplePdf('Autre', ['x']), 'autre.pdf');
    expect(again.status).toBe(409);
    expect(again.text).toContain('Le règlement ne peut plus changer une fois le concours publié');
    expect((await t.deps.db.contest.findUniqueOrThrow({ where: { id: c.id } })).rulesFile).toBe(row.rulesFile);
  });

  it('refuses a text file renamed .pdf, a cut PDF, a file over 5 MB and no file, in French, with the form kept', async () => {
    const { c } = await draft('Concours aux mauvais fichiers');
    const fake = await upload(`/gestion/concours/${c.id}/reglement`, 'rules', Buffer.from('Bonjour, je ne suis pas un PDF.\n'.repeat(20)), 'reglement.pdf');
    expect(fake.status).toBe(422);
    expect(fake.text).toContain('Règlement : ce fichier n’est pas un PDF.');
    expect(fake.text).toContain('id="f-rules-err"');
    expect(fake.text).toContain('value="Concours aux mauvais fichiers"');
    const cut = await upload(`/gestion/concours/${c.id}/reglement`, 'rules', pdf.subarray(0, 300), 'coupe.pdf');
    expect(cut.status).toBe(422);
    const image = await upload(`/gestion/concours/${c.id}/reglement`, 'rules', await png(200, 200), 'image.pdf');
    expect(image.status).toBe(422);
    const big = Buffer.concat([pdf.subarray(0, 20), Buffer.alloc(5 * 1024 * 1024), pdf]);
    const tooBig = await upload(`/gestion/concours/${c.id}/reglement`, 'rules', big, 'gros.pdf');
    expect(tooBig.status).toBe(422);
    expect(tooBig.text).toContain('Règlement : le fichier dépasse 5 Mo.');
    const token = csrfOf((await agent.get(`/gestion/concours/${c.id}`)).text);
    const none = await agent.post(`/gestion/concours/${c.id}/reglement`).type('form').send({ _csrf: token });
    expect(none.status).toBe(422);
    expect(none.text).toContain('Règlement : choisissez un fichier PDF.');
    // the picture field is not taken for the rules
    const wrongField = await upload(`/gestion/concours/${c.id}/reglement`, 'image', pdf, 'reglement.pdf');
    expect(wrongField.status).toBe(422);
    expect((await t.deps.db.contest.findUniqueOrThrow({ where: { id: c.id } })).rulesFile).toBeNull();
  });
});

describe('prize pictures', () => {
  it('are turned into WebP variants and shown on the contest and results pages with the prize name as alt text', async () => {
    const { c, prize } = await draft('Concours illustré');
    const res = await upload(`/gestion/concours/${c.id}/lots/${prize.id}/image`, 'image', await png(1600, 1200), 'peluche.png');
    expect(res.status).toBe(303);
    const row = await t.deps.db.contestPrize.findUniqueOrThrow({ where: { id: prize.id } });
    const m = /^([0-9a-f]{24})-1600x1200$/.exec(row.pictureFile ?? '');
    expect(m).not.toBeNull();
    const key = m![1]!;
    for (const w of [320, 640, 1024]) expect(existsSync(path.join(imagesDir(t.deps.config), variantName(key, w)))).toBe(true);
    expect(await sharp(path.join(imagesDir(t.deps.config), variantName(key, 320))).metadata()).toMatchObject({ format: 'webp', width: 320, height: 240 });
    await publishContest(t.deps, staff.member.id, c.id);
    const page = await request(t.app).get(`/concours/${c.slug}`);
    expect(page.text).toContain(`srcset="/images/produits/${key}-320.webp 320w, /images/produits/${key}-640.webp 640w, /images/produits/${key}-1024.webp 1024w"`);
    expect(page.text).toContain('alt="Peluche étoile"');
    const img = await request(t.app).get(`/images/produits/${key}-320.webp`);
    expect(img.status).toBe(200);
    expect(img.headers['content-type']).toBe('image/webp');
    // frozen with the prizes once published
    const token = csrfOf((await agent.get(`/gestion/concours/${c.id}`)).text);
    const late = await agent.post(`/gestion/concours/${c.id}/lots/${prize.id}/image`).field('_csrf', token).attach('image', await png(300, 300), 'b.png');
    expect(late.status).toBe(409);
    expect(late.text).toContain('Les lots ne peuvent plus changer une fois le concours publié.');
  });

  it('refuses a PDF, a text file renamed .png and a file over 5 MB; another contest’s prize is 404', async () => {
    const { c, prize } = await draft('Concours aux mauvaises images');
    const url = `/gestion/concours/${c.id}/lots/${prize.id}/image`;
    const asPdf = await upload(url, 'image', pdf, 'photo.png');
    expect(asPdf.status).toBe(422);
    expect(asPdf.text).toContain('Image : ce fichier n’est pas une image JPEG, PNG ou WebP lisible.');
    expect(asPdf.text).toContain(`id="f-image-${prize.id}-err"`);
    const text = await upload(url, 'image', Buffer.from('pas une image\n'.repeat(30)), 'photo.png');
    expect(text.status).toBe(422);
    const big = Buffer.concat([await png(200, 200), Buffer.alloc(5 * 1024 * 1024)]);
    const tooBig = await upload(url, 'image', big, 'grande.png');
    expect(tooBig.status).toBe(422);
    expect(tooBig.text).toContain('Image : le fichier dépasse 5 Mo.');
    const other = await draft('Autre concours');
    const idor = await upload(`/gestion/concours/${other.c.id}/lots/${prize.id}/image`, 'image', await png(200, 200), 'a.png');
    expect(idor.status).toBe(404);
    expect((await t.deps.db.contestPrize.findUniqueOrThrow({ where: { id: prize.id } })).pictureFile).toBeNull();
  });
});

describe('access', () => {
  it('a member or a visitor cannot upload (415 before anything is read); staff without the token get 403', async () => {
    const { c, prize } = await draft('Concours protégé');
    const m = await loginAgent(t.app, member.email, member.password);
    expect((await m.post(`/gestion/concours/${c.id}/reglement`).attach('rules', pdf, 'r.pdf')).status).toBe(415);
    expect((await m.post(`/gestion/concours/${c.id}/lots/${prize.id}/image`).attach('image', await png(200, 200), 'a.png')).status).toBe(415);
    expect((await request(t.app).post(`/gestion/concours/${c.id}/reglement`).attach('rules', pdf, 'r.pdf')).status).toBe(415);
    // a member with a urlencoded body is stopped by the staff area
    const token = csrfOf((await m.get('/compte/concours')).text);
    expect((await m.post(`/gestion/concours/${c.id}/reglement`).type('form').send({ _csrf: token })).status).toBe(403);
    expect((await agent.post(`/gestion/concours/${c.id}/reglement`).attach('rules', pdf, 'r.pdf')).status).toBe(403);
    expect((await t.deps.db.contest.findUniqueOrThrow({ where: { id: c.id } })).rulesFile).toBeNull();
    // a malicious name is never looked up
    expect((await request(t.app).get('/concours/..%2F..%2Fetc/reglement.pdf')).status).toBe(404);
  });
});

// Contests end to end through the site: staff lifecycle, entries, closing, the verifiable draw,
// claims, redraw, shipping, privacy and access control.
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import request from 'supertest';
import { createTestApp, daysFromNow, loginAgent, postForm } from './helpers/app.ts';
import type { TestApp } from './helpers/app.ts';
import { lastMailTo } from './helpers/mail.ts';
import { brokenSummaryLinks, errorSummaries, summaryLinks } from './helpers/error-summary.ts';
import { onPostgres } from './helpers/db.ts';
import { createMember } from '../src/dev/factories.ts';
import { parisDay } from '../src/core/dates.ts';
import { verifyDraw } from '../scripts/verify-draw.ts';
import type { PublishedDraw } from '../scripts/verify-draw.ts';
import { addPrize, createContest, enterContest, EntryError, publishContest } from '../src/contests/service.ts';
import { eraseMember } from '../src/privacy/eraser.ts';
import { exportMemberData } from '../src/privacy/export.ts';
import { runContestRetention } from '../src/contests/retention.ts';

const run = promisify(execFile);
let t: TestApp;
let staff: Awaited<ReturnType<typeof createMember>>;
let staffAgent: ReturnType<typeof request.agent>;
beforeAll(async () => {
  t = await createTestApp();
  staff = await createMember(t.deps, {}, { role: 'STAFF' });
  staffAgent = await loginAgent(t.app, staff.email, staff.password);
});
afterAll(() => t.close());

const day = (n: number) => parisDay(daysFromNow(t, n));

/** A published contest made through the services: opens yesterday, closes in `closeIn` days. */
async function openContest(title: string, opts: { closeIn?: number; quantity?: number; reserves?: number } = {}) {
  const closeIn = opts.closeIn ?? 5;
  const c = await createContest(t.deps, staff.member.id, {
    title, description: 'Un concours de test.', question: null, opensAt: daysFromNow(t, -1), closesAt: daysFromNow(t, closeIn),
    drawAt: daysFromNow(t, closeIn + 1), reserves: opts.reserves ?? 2, claimDays: 14,
  });
  await addPrize(t.deps, staff.member.id, c.id, { name: 'Peluche étoile', quantity: opts.quantity ?? 1, unitCostCents: 1500 });
  return publishContest(t.deps, staff.member.id, c.id);
}

const DAY = 24 * 3600_000;
const mutate = (s: string) => s.slice(0, -1) + (s.endsWith('0') ? '1' : '0');

describe('the whole cycle', () => {
  it('staff create, publish; members enter; the list closes at its date; the draw is published and verifies; winners claim; redraw; shipping', async () => {
    // Staff create a draft through the form, with errors first.
    const bad = await postForm(staffAgent, '/gestion/concours', '/gestion/concours', { title: 'x', opensOn: day(0), closesOn: day(-3), drawOn: day(5), reserves: '1', claimDays: '30' });
    expect(bad.status).toBe(422);
    expect(bad.text).toContain('Titre : au moins 3 caractères.');
    const badDates = await postForm(staffAgent, '/gestion/concours', '/gestion/concours', { title: 'Dates à l’envers', opensOn: day(0), closesOn: day(-3), drawOn: day(5), reserves: '1', claimDays: '30' });
    expect(badDates.status).toBe(422);
    expect(badDates.text).toContain('La clôture doit suivre l’ouverture.');
    expect(badDates.text).toContain('value="Dates à l’envers"');
    const created = await postForm(staffAgent, '/gestion/concours', '/gestion/concours', {
      title: 'Grand concours d’hiver', description: 'Gagnez une peluche.', question: 'Quelle est la couleur de l’étoile ?',
      opensOn: day(0), closesOn: day(3), drawOn: day(5), reserves: '2', claimDays: '30',
    });
    expect(created.status).toBe(303);
    const staffUrl = created.headers.location as string;
    const id = staffUrl.split('/').pop()!;
    // Publishing needs a prize.
    const noPrize = await postForm(staffAgent, staffUrl, `${staffUrl}/publier`, {});
    expect(noPrize.status).toBe(422);
    expect(noPrize.text).toContain('Ajoutez au moins un lot');
    expect((await postForm(staffAgent, staffUrl, `${staffUrl}/lots`, { name: 'Peluche étoile', quantity: '2', unitCost: '19,90' })).status).toBe(303);
    expect((await postForm(staffAgent, staffUrl, `${staffUrl}/publier`, {})).status).toBe(303);
    const contest = await t.deps.db.contest.findUniqueOrThrow({ where: { id } });
    expect(contest.status).toBe('OPEN');
    expect(contest.seed).toMatch(/^[0-9a-f]{64}$/);

    // The public page shows the commitment, never the seed, and sets no cookie.
    const pub = await request(t.app).get(`/concours/${contest.slug}`);
    expect(pub.status).toBe(200);
    expect(pub.headers['set-cookie']).toBeUndefined();
    expect(pub.text).toContain(contest.seedHash!);
    expect(pub.text).not.toContain(contest.seed!);
    const early = await request(t.app).get(`/concours/${contest.slug}/tirage.json`);
    expect(early.body).toMatchObject({ contestId: contest.publicId, algorithm: 1, seedHash: contest.seedHash, entries: [], winners: 2, reserves: 2 });
    expect(early.body.seed).toBeUndefined();
    expect(early.headers['set-cookie']).toBeUndefined();
    expect((await request(t.app).get('/concours')).headers['set-cookie']).toBeUndefined();
    expect((await request(t.app).get(`/concours/${contest.slug}/resultats`)).status).toBe(404);

    // Six members enter with one click (and the answer); the receipt is shown.
    const members = await Promise.all(Array.from({ length: 6 }, (_, i) => createMember(t.deps, { firstName: `Léa${i}`, lastName: `Durand${i}` })));
    const agents = [];
    for (const m of members) {
      const a = await loginAgent(t.app, m.email, m.password);
      const res = await postForm(a, `/concours/${contest.slug}`, `/compte/concours/${contest.slug}/participer`, { answer: 'Jaune' });
      expect(res.status).toBe(303);
      const page = await a.get(res.headers.location);
      expect(page.text).toMatch(/Votre reçu : <strong><code>[0-9A-Z]{12}<\/code>/);
      agents.push(a);
    }
    // A second entry is refused; staff and unconfirmed members cannot enter.
    const twice = await postForm(agents[0]!, `/concours/${contest.slug}`, `/compte/concours/${contest.slug}/participer`, {});
    expect(twice.status).toBe(409);
    expect(twice.text).toContain('Vous participez déjà à ce concours');
    const staffEntry = await staffAgent.post(`/compte/concours/${contest.slug}/participer`).type('form').send({ _csrf: 'x' });
    expect([403]).toContain(staffEntry.status);
    await expect(enterContest(t.deps, staff.member, contest.slug, null)).rejects.toThrow(/équipe/);
    const unconfirmed = await createMember(t.deps, {}, { confirmed: false });
    await expect(enterContest(t.deps, unconfirmed.member, contest.slug, null)).rejects.toThrow(/Confirmez/);
    expect(await t.deps.db.contestEntry.count({ where: { contestId: id } })).toBe(6);
    const mine = await agents[0]!.get('/compte/concours');
    expect(mine.text).toContain('Grand concours d’hiver');

    // The worker closes it at the closing date; entries are refused from then on.
    t.clock.set(new Date(contest.closesAt.getTime() + 1000));
    await t.worker.drain();
    const closed = await t.deps.db.contest.findUniqueOrThrow({ where: { id } });
    expect(closed.status).toBe('CLOSED');
    expect(closed.entryCount).toBe(6);
    const late = await createMember(t.deps);
    await expect(enterContest(t.deps, late.member, contest.slug, null)).rejects.toThrow(/n’est pas ouvert/);
    const frozen = await request(t.app).get(`/concours/${contest.slug}/tirage.json`);
    expect(frozen.body.entries).toHaveLength(6);
    expect(frozen.body.listHash).toBe(closed.listHash);
    expect(frozen.body.seed).toBeUndefined();
    const listTxt = await request(t.app).get(`/concours/${contest.slug}/liste.txt`);
    expect(listTxt.headers['x-content-type-options']).toBe('nosniff');
    expect(listTxt.headers['content-disposition']).toContain('attachment');
    expect(listTxt.text).toBe([...frozen.body.entries].sort().join('\n'));

    // No draw before the draw date. (Sessions expire while the clock moves: log in again.)
    staffAgent = await loginAgent(t.app, staff.email, staff.password);
    const tooEarly = await postForm(staffAgent, staffUrl, `${staffUrl}/tirer`, {});
    expect(tooEarly.status).toBe(409);
    t.clock.set(new Date(closed.drawAt.getTime() + 60_000));
    staffAgent = await loginAgent(t.app, staff.email, staff.password);
    expect((await postForm(staffAgent, staffUrl, `${staffUrl}/tirer`, {})).status).toBe(303);
    expect((await postForm(staffAgent, staffUrl, `${staffUrl}/tirer`, {})).status).toBe(409);

    // The published draw verifies with the independent verifier; one character changed anywhere fails.
    const drawn = (await request(t.app).get(`/concours/${contest.slug}/tirage.json`)).body as PublishedDraw;
    expect(drawn.seed).toBe(contest.seed);
    expect(drawn.ranking).toHaveLength(4);
    expect(await verifyDraw(drawn)).toEqual([]);
    expect(await verifyDraw({ ...drawn, entries: [mutate(drawn.entries[0]!), ...drawn.entries.slice(1)] })).not.toEqual([]);
    expect(await verifyDraw({ ...drawn, seed: mutate(drawn.seed!) })).not.toEqual([]);
    expect(await verifyDraw({ ...drawn, ranking: [mutate(drawn.ranking![0]!), ...drawn.ranking!.slice(1)] })).not.toEqual([]);
    // The verifier script, as a separate process, on files.
    const dir = mkdtempSync(path.join(os.tmpdir(), 'verify-'));
    writeFileSync(path.join(dir, 'ok.json'), JSON.stringify(drawn));
    writeFileSync(path.join(dir, 'bad.json'), JSON.stringify({ ...drawn, ranking: [...drawn.ranking!].reverse() }));
    const ok = await run(process.execPath, ['--import', 'tsx', 'scripts/verify-draw.ts', path.join(dir, 'ok.json')]);
    expect(ok.stdout).toContain('OK — tirage vérifié');
    await expect(run(process.execPath, ['--import', 'tsx', 'scripts/verify-draw.ts', path.join(dir, 'bad.json')])).rejects.toMatchObject({ code: 1 });

    // Results: rank, receipt, role and prize, never a name (decision 0077); the seed and the hashes; the verify button and its script.
    const results = await request(t.app).get(`/concours/${contest.slug}/resultats`);
    // The way to redo the draw off the site is one link away.
    expect(results.text).toContain('href="/verification-des-tirages"');
    expect(results.status).toBe(200);
    expect(results.headers['set-cookie']).toBeUndefined();
    expect(results.text).toContain(drawn.seed!);
    expect(results.text).toContain('Vérifier le tirage');
    expect(results.text).toContain('/static/js/verify-draw.js');
    const ranks = await t.deps.db.contestRank.findMany({ where: { contestId: id }, orderBy: { rank: 'asc' }, include: { entry: true } });
    const winnerEntry = ranks[0]!.entry;
    const wIdx = members.findIndex((m) => m.member.id === winnerEntry.memberId);
    expect(JSON.stringify(ranks)).not.toMatch(/Léa|Durand/); // the draw copies no name onto the ranks (decision 0079)
    expect(wIdx).toBeGreaterThanOrEqual(0);
    expect(results.text).toMatch(new RegExp(`<code>${winnerEntry.publicId}</code></td>\\s*<td>Gagnant</td>\\s*<td>Peluche étoile</td>`));
    expect(results.text).toMatch(new RegExp(`<code>${ranks[2]!.entry.publicId}</code></td>\\s*<td>Suppléant</td>\\s*<td></td>`));
    // No name, e-mail or member id on the results page, in the draw data or in the list of receipts.
    const published = { results: results.text, json: JSON.stringify(drawn), list: listTxt.text };
    for (const [what, text] of Object.entries(published)) {
      expect(text, what).not.toContain(`Léa${wIdx}`);
      expect(text, what).not.toContain('Léa');
      for (const m of members) for (const v of [m.email, m.member.id, `Durand`]) expect(text, what).not.toContain(v);
    }

    // The winner got an e-mail; the claim page is prefilled and only theirs.
    const mail = await lastMailTo(t, members[wIdx]!.email);
    expect(mail?.subject).toContain('Vous avez gagné');
    expect(mail?.text).toContain('/compte/concours');
    const winnerAgent = await loginAgent(t.app, members[wIdx]!.email, members[wIdx]!.password);
    const claimUrl = `/compte/concours/gain/${ranks[0]!.id}`;
    const claim = await winnerAgent.get(claimUrl);
    expect(claim.status).toBe(200);
    expect(claim.text).toContain('value="12 rue des Lilas"');
    const otherM = members[(wIdx + 1) % 6]!;
    const other = await loginAgent(t.app, otherM.email, otherM.password);
    expect((await other.get(claimUrl)).status).toBe(404);
    const stolen = await postForm(other, '/compte/concours', claimUrl, { shipName: 'Voleur', shipLine1: '1 rue X', shipPostcode: '75001', shipCity: 'Paris', shipCountry: 'FR' });
    expect(stolen.status).toBe(404);
    const badAddr = await postForm(winnerAgent, claimUrl, claimUrl, { shipName: 'L', shipLine1: '', shipPostcode: '?', shipCity: 'Lyon', shipCountry: 'France' });
    expect(badAddr.status).toBe(422);
    expect(badAddr.text).toContain('Pays : choisissez dans la liste.');
    expect(badAddr.text).toMatch(/<select id="f-shipCountry" name="shipCountry" autocomplete="country" required aria-invalid="true"/);
    // The summary above the form lists every refused field and leads to it; the title says so.
    const [claimSummary] = errorSummaries(badAddr.text);
    expect(summaryLinks(claimSummary!).map((l) => l.href)).toEqual(['#f-shipName', '#f-shipLine1', '#f-shipPostcode', '#f-shipCountry']);
    expect(brokenSummaryLinks(badAddr.text, claimSummary!)).toEqual([]);
    expect(badAddr.text).toContain('<title>Erreur : ');
    expect((await postForm(winnerAgent, claimUrl, claimUrl, { shipName: 'Léa Durand', shipLine1: '12 rue des Lilas', shipLine2: '', shipPostcode: '69003', shipCity: 'Lyon', shipCountry: 'FR' })).status).toBe(303);

    // Redraw: a reason is required; the next reserve is promoted; nobody wins twice.
    const second = ranks[1]!;
    const noReason = await postForm(staffAgent, staffUrl, `${staffUrl}/remplacer/${second.id}`, { reason: '' });
    expect(noReason.status).toBe(422);
    expect((await postForm(staffAgent, staffUrl, `${staffUrl}/remplacer/${second.id}`, { reason: 'Adresse non confirmée dans le délai' })).status).toBe(303);
    const after = await t.deps.db.contestRank.findMany({ where: { contestId: id }, orderBy: { rank: 'asc' } });
    expect(after.map((r) => r.status)).toEqual(['CONFIRMED', 'REPLACED', 'NOTIFIED', 'WAITING']);
    expect(after[2]!.prizeId).toBe(second.prizeId);
    expect((await postForm(staffAgent, staffUrl, `${staffUrl}/remplacer/${second.id}`, { reason: 'Encore une fois' })).status).toBe(409);
    expect((await postForm(staffAgent, staffUrl, `${staffUrl}/remplacer/${after[2]!.id}`, { reason: 'Inéligible au règlement' })).status).toBe(303);
    expect((await postForm(staffAgent, staffUrl, `${staffUrl}/remplacer/${after[3]!.id}`, { reason: 'Inéligible au règlement' })).status).toBe(303);
    const final = await t.deps.db.contestRank.findMany({ where: { contestId: id }, orderBy: { rank: 'asc' } });
    expect(final.map((r) => r.status)).toEqual(['CONFIRMED', 'REPLACED', 'REPLACED', 'REPLACED']);
    expect(await t.deps.db.auditEvent.count({ where: { action: 'contest.redrawn' } })).toBe(3);
    // The replaced winner reads in their own export why they were replaced (the journal keeps no reason).
    const replacedEntry = await t.deps.db.contestEntry.findUniqueOrThrow({ where: { id: second.entryId } });
    const replacedExport = (await exportMemberData(t.deps, replacedEntry.memberId!)) as { concours: { classement: Record<string, unknown>[] }[] };
    const replacedRank = replacedExport.concours.flatMap((e) => e.classement).find((r) => r.statut === 'REPLACED')!;
    expect(replacedRank.motifRemplacement).toBe('Adresse non confirmée dans le délai');
    expect(typeof replacedRank.remplaceLe).toBe('string');
    // The published ranking never changes; the results say who was replaced, without the reasons.
    expect((await request(t.app).get(`/concours/${contest.slug}/tirage.json`)).body.ranking).toEqual(drawn.ranking);
    const replacedResults = (await request(t.app).get(`/concours/${contest.slug}/resultats`)).text;
    expect([...replacedResults.matchAll(/<td>((?:Gagnant|Suppléant)[^<]*)<\/td>/g)].map((m) => m[1])).toEqual([
      'Gagnant', 'Gagnant, remplacé', 'Suppléant promu, remplacé', 'Suppléant promu, remplacé',
    ]);
    expect(replacedResults).not.toMatch(/Inéligible|Adresse non confirmée|Léa|Durand/);

    // Shipping: the addresses page is audited at every view; shipping once.
    const before = await t.deps.db.auditEvent.count({ where: { action: 'contest.addresses-viewed' } });
    const ship = await staffAgent.get(`${staffUrl}/expedition`);
    expect(ship.status).toBe(200);
    expect(ship.text).toContain('12 rue des Lilas');
    await staffAgent.get(`${staffUrl}/expedition`);
    expect(await t.deps.db.auditEvent.count({ where: { action: 'contest.addresses-viewed' } })).toBe(before + 2);
    expect((await postForm(staffAgent, `${staffUrl}/expedition`, `${staffUrl}/expedier/${final[0]!.id}`, {})).status).toBe(303);
    expect((await postForm(staffAgent, `${staffUrl}/expedition`, `${staffUrl}/expedier/${final[0]!.id}`, {})).status).toBe(409);
    // Shipping booked the prize's cost once: OD, D 6234 Cadeaux / C 607 Achats, no personal data in the label.
    const booked = await t.deps.db.journalEntry.findMany({ where: { idempotencyKey: `contest-ship:${final[0]!.id}` }, include: { lines: { orderBy: { position: 'asc' } } } });
    expect(booked).toHaveLength(1);
    expect(booked[0]!.journal).toBe('OD');
    expect(booked[0]!.lines.map((l) => [l.accountNumber, l.debitCents, l.creditCents])).toEqual([['6234', 1990, 0], ['607', 0, 1990]]);
    expect(booked[0]!.label).not.toMatch(/Léa|Durand|rue/);

    // Archived once nothing is pending; results stay public.
    expect((await postForm(staffAgent, staffUrl, `${staffUrl}/archiver`, {})).status).toBe(303);
    expect((await t.deps.db.contest.findUniqueOrThrow({ where: { id } })).status).toBe('ARCHIVED');
    expect((await request(t.app).get(`/concours/${contest.slug}/resultats`)).status).toBe(200);
    // Entrants CSV: receipts and dates only.
    const csv = await staffAgent.get(`${staffUrl}/participations.csv`);
    expect(csv.headers['content-type']).toContain('text/csv');
    const lines = csv.text.trim().split('\r\n');
    expect(lines[0]).toBe('reçu,date');
    expect(lines).toHaveLength(7);
    for (const m of members) expect(csv.text).not.toContain(m.member.id);
    expect(csv.text).not.toMatch(/Léa|Durand|@/);

    // Retention: 3 months after shipping, the winner's name and address go; entries lose their member.
    t.clock.set(new Date(t.clock.now().getTime() + 100 * 24 * 3600_000));
    await runContestRetention(t.deps);
    const kept = await t.deps.db.contestRank.findMany({ where: { contestId: id } });
    expect(kept.every((r) => r.shipName === null && r.shipLine1 === null && r.replacedReason === null)).toBe(true);
    expect(await t.deps.db.contestEntry.count({ where: { contestId: id, memberId: { not: null } } })).toBe(0);
    const still = (await request(t.app).get(`/concours/${contest.slug}/tirage.json`)).body as PublishedDraw;
    expect(await verifyDraw(still)).toEqual([]);
  }, 180_000);
});

describe('entries', () => {
  it('are refused after the closing date even before the list is frozen, and by the database once closed', async () => {
    const c = await openContest('Concours éclair', { closeIn: 1 });
    const m = await createMember(t.deps);
    t.clock.set(new Date(c.closesAt.getTime() + 1));
    await expect(enterContest(t.deps, m.member, c.slug, null)).rejects.toBeInstanceOf(EntryError);
    await t.worker.drain();
    expect((await t.deps.db.contest.findUniqueOrThrow({ where: { id: c.id } })).status).toBe('CLOSED');
    // The trigger refuses a row written behind the service's back.
    await expect(t.deps.db.contestEntry.create({ data: { contestId: c.id, memberId: m.member.id, publicId: 'ZZZZZZZZZZZZ', createdAt: t.clock.now() } })).rejects.toThrow();
  });

  it('one per member is enforced by the database itself', async () => {
    const c = await openContest('Concours unique');
    const m = await createMember(t.deps);
    await t.deps.db.contestEntry.create({ data: { contestId: c.id, memberId: m.member.id, publicId: 'AAAAAAAAAAA1', createdAt: t.clock.now() } });
    await expect(t.deps.db.contestEntry.create({ data: { contestId: c.id, memberId: m.member.id, publicId: 'AAAAAAAAAAA2', createdAt: t.clock.now() } })).rejects.toMatchObject({ code: 'P2002' });
  });
});

describe('access control', () => {
  it('members and anonymous visitors cannot reach the staff pages; drafts are not public', async () => {
    const staffAgent = await loginAgent(t.app, staff.email, staff.password);
    const c = await createContest(t.deps, staff.member.id, {
      title: 'Brouillon secret', description: '', question: null, opensAt: daysFromNow(t, 1), closesAt: daysFromNow(t, 3), drawAt: daysFromNow(t, 4), reserves: 0, claimDays: 7,
    });
    const m = await createMember(t.deps);
    const a = await loginAgent(t.app, m.email, m.password);
    for (const p of ['/gestion/concours', `/gestion/concours/${c.id}`, `/gestion/concours/${c.id}/expedition`, `/gestion/concours/${c.id}/participations.csv`]) {
      expect((await a.get(p)).status).toBe(403);
      expect((await request(t.app).get(p)).status).toBe(303);
    }
    expect((await request(t.app).get(`/concours/${c.slug}`)).status).toBe(404);
    expect((await request(t.app).get(`/concours/${c.slug}/tirage.json`)).status).toBe(404);
    expect((await request(t.app).get('/concours')).text).not.toContain('Brouillon secret');
    expect((await staffAgent.get('/gestion/concours/00000000-0000-0000-0000-000000000000')).status).toBe(404);
    expect((await staffAgent.get('/gestion/concours/pas-un-id')).status).toBe(404);
    expect((await a.get('/compte/concours/gain/00000000-0000-0000-0000-000000000000')).status).toBe(404);
  });
});

describe('erasure', () => {
  it('deletes the entry of an open contest, anonymises a published one (its public id stays), and exports contest data', async () => {
    const open = await openContest('Concours ouvert effacement', { closeIn: 30 });
    const drawnC = await openContest('Concours tiré effacement', { closeIn: 2, reserves: 0 });
    const m = await createMember(t.deps, { firstName: 'Zoé', lastName: 'Effacée', addressLine1: '9 rue Oubli' });
    await enterContest(t.deps, m.member, open.slug, null);
    const e2 = await enterContest(t.deps, m.member, drawnC.slug, null);
    const a = await loginAgent(t.app, m.email, m.password);
    expect((await a.get('/compte/donnees')).status).toBe(200);
    t.clock.set(new Date(drawnC.drawAt.getTime() + 1000));
    await t.worker.drain();
    const sa = await loginAgent(t.app, staff.email, staff.password);
    expect((await postForm(sa, `/gestion/concours/${drawnC.id}`, `/gestion/concours/${drawnC.id}/tirer`, {})).status).toBe(303);
    const rank = await t.deps.db.contestRank.findFirstOrThrow({ where: { contestId: drawnC.id } });
    expect(JSON.stringify(rank)).not.toMatch(/Zoé|Effacée/);
    await eraseMember(t.deps, m.member.id, { reason: 'self' });
    expect(await t.deps.db.contestEntry.count({ where: { contestId: open.id } })).toBe(0);
    const kept = await t.deps.db.contestEntry.findUniqueOrThrow({ where: { id: e2.id } });
    expect(kept.publicId).toBe(e2.publicId);
    expect(kept.memberId).toBeNull();
    const rankAfter = await t.deps.db.contestRank.findFirstOrThrow({ where: { contestId: drawnC.id } });
    expect(rankAfter.entryId).toBe(e2.id);
    const d = (await request(t.app).get(`/concours/${drawnC.slug}/tirage.json`)).body as PublishedDraw;
    expect(d.entries).toContain(e2.publicId);
    expect(await verifyDraw(d)).toEqual([]);
    const dump = JSON.stringify(await t.deps.db.$queryRawUnsafe('SELECT e.*, r.* FROM "ContestEntry" e LEFT JOIN "ContestRank" r ON r."entryId" = e.id'));
    expect(dump).not.toContain(m.member.id);
    expect(dump).not.toContain('Zoé');
  });
});

describe('retention of a contest closed but never drawn', () => {
  it('unlinks its entries 3 months after the announced draw date, not before; the list stays verifiable; it can no longer be drawn', async () => {
    const make = async (title: string, drawIn: number) => {
      const c = await createContest(t.deps, staff.member.id, {
        title, description: '', question: 'Quelle couleur ?', opensAt: daysFromNow(t, -1), closesAt: daysFromNow(t, 2), drawAt: daysFromNow(t, drawIn), reserves: 1, claimDays: 14,
      });
      await addPrize(t.deps, staff.member.id, c.id, { name: 'Peluche étoile', quantity: 1, unitCostCents: 1500 });
      return publishContest(t.deps, staff.member.id, c.id);
    };
    const forgotten = await make('Concours jamais tiré', 3);
    const lateDraw = await make('Concours tiré tard', 150); // closes at the same time, draw announced 5 months later
    const members = await Promise.all([createMember(t.deps), createMember(t.deps)]);
    for (const c of [forgotten, lateDraw]) for (const m of members) await enterContest(t.deps, m.member, c.slug, 'Bleu');
    t.clock.set(new Date(forgotten.closesAt.getTime() + 1000));
    await t.worker.drain();
    expect((await t.deps.db.contest.findUniqueOrThrow({ where: { id: forgotten.id } })).status).toBe('CLOSED');
    const linked = (id: string) => t.deps.db.contestEntry.count({ where: { contestId: id, OR: [{ memberId: { not: null } }, { answer: { not: null } }] } });

    // Nearly 3 months after the announced draw date: nothing goes yet.
    t.clock.set(new Date(forgotten.drawAt.getTime() + 85 * DAY));
    await runContestRetention(t.deps);
    expect(await linked(forgotten.id)).toBe(2);
    // Past 3 months: the never-drawn contest's entries lose their member and answer, the public ids stay.
    t.clock.set(new Date(forgotten.drawAt.getTime() + 95 * DAY));
    const before = (await request(t.app).get(`/concours/${forgotten.slug}/liste.txt`)).text;
    expect((await runContestRetention(t.deps)).entries).toBeGreaterThanOrEqual(2); // other tests' contests may go too
    expect(await linked(forgotten.id)).toBe(0);
    expect(await t.deps.db.contestEntry.count({ where: { contestId: forgotten.id } })).toBe(2);
    expect((await request(t.app).get(`/concours/${forgotten.slug}/liste.txt`)).text).toBe(before); // still matches its published hash
    // The contest closed at the same time but whose draw date is later keeps its entries.
    expect(await linked(lateDraw.id)).toBe(2);
    // The forgotten contest can no longer be drawn: its entries belong to nobody any more.
    const sa = await loginAgent(t.app, staff.email, staff.password);
    const refused = await postForm(sa, `/gestion/concours/${forgotten.id}`, `/gestion/concours/${forgotten.id}/tirer`, {});
    expect(refused.status).toBe(409);
    expect(refused.text).toContain('le tirage n’est plus possible');
    expect(await t.deps.db.contestRank.count({ where: { contestId: forgotten.id } })).toBe(0);
    // The late one is still drawn on its date, its entries linked to their members.
    t.clock.set(new Date(lateDraw.drawAt.getTime() + 1000));
    const sa2 = await loginAgent(t.app, staff.email, staff.password);
    expect((await postForm(sa2, `/gestion/concours/${lateDraw.id}`, `/gestion/concours/${lateDraw.id}/tirer`, {})).status).toBe(303);
    expect(await linked(lateDraw.id)).toBe(2);
  });
});

describe.runIf(onPostgres)('races', () => {
  it('one entry per member under 50 concurrent attempts; the others are told; no 500', async () => {
    const c = await openContest('Concours course', { closeIn: 30 });
    const m = await createMember(t.deps);
    const results = await Promise.allSettled(Array.from({ length: 50 }, () => enterContest(t.deps, m.member, c.slug, null)));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const refused = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(refused).toHaveLength(49);
    for (const r of refused) expect(r.reason).toBeInstanceOf(EntryError);
    expect(await t.deps.db.contestEntry.count({ where: { contestId: c.id, memberId: m.member.id } })).toBe(1);
    // The same through HTTP, for a second member.
    const m2 = await createMember(t.deps);
    const agent = await loginAgent(t.app, m2.email, m2.password);
    const page = await agent.get(`/concours/${c.slug}`);
    const token = /name="_csrf" value="([^"]+)"/.exec(page.text)![1];
    const res = await Promise.all(Array.from({ length: 50 }, () => agent.post(`/compte/concours/${c.slug}/participer`).type('form').send({ _csrf: token })));
    expect(res.filter((r) => r.status === 303)).toHaveLength(1);
    expect(res.filter((r) => r.status === 409)).toHaveLength(49);
    expect(await t.deps.db.contestEntry.count({ where: { contestId: c.id, memberId: m2.member.id } })).toBe(1);
  });

  it('an entry racing the close is either in the frozen list or refused', async () => {
    const c = await openContest('Concours clôture', { closeIn: 30 });
    const members = await Promise.all(Array.from({ length: 20 }, () => createMember(t.deps)));
    const entering = members.map((m) => enterContest(t.deps, m.member, c.slug, null).then(() => true, () => false));
    const { closeContest } = await import('../src/contests/service.ts');
    const closed = closeContest(t.deps, staff.member.id, c.id);
    const ok = await Promise.all(entering);
    const frozen = await closed;
    expect(await t.deps.db.contestEntry.count({ where: { contestId: c.id } })).toBe(frozen.entryCount);
    expect(ok.filter(Boolean).length).toBe(frozen.entryCount);
  });
});

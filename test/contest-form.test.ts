// The staff contest form reports the dates' order at the first submission, beside the other
// errors, on the field it concerns, with what was typed kept.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import request from 'supertest';
import { createTestApp, daysFromNow, loginAgent, postForm } from './helpers/app.ts';
import type { TestApp } from './helpers/app.ts';
import { createMember } from '../src/dev/factories.ts';
import { parisDay } from '../src/core/dates.ts';
import { brokenSummaryLinks, errorSummaries, summaryLinks } from './helpers/error-summary.ts';

let t: TestApp;
let agent: ReturnType<typeof request.agent>;
beforeAll(async () => {
  t = await createTestApp();
  const staff = await createMember(t.deps, {}, { role: 'STAFF' });
  agent = await loginAgent(t.app, staff.email, staff.password);
});
afterAll(() => t?.close());

const day = (n: number) => parisDay(daysFromNow(t, n));
/** The message beside a field (formField's `<id>-err`), or null. */
const besideField = (html: string, id: string) => new RegExp(`<small id="${id}-err" class="field-error">([^<]*)</small>`).exec(html)?.[1] ?? null;

describe('the contest form’s dates', () => {
  it('in the wrong order, with another error: both orders are reported at once, on their fields, the values kept', async () => {
    const res = await postForm(agent, '/gestion/concours', '/gestion/concours', {
      title: 'x', opensOn: day(10), closesOn: day(8), drawOn: day(6), reserves: '1', claimDays: '30',
    });
    expect(res.status).toBe(422);
    expect(besideField(res.text, 'f-title')).toBe('Titre : au moins 3 caractères.');
    expect(besideField(res.text, 'f-closesOn')).toBe('La clôture doit suivre l’ouverture.');
    expect(besideField(res.text, 'f-drawOn')).toBe('Le tirage doit avoir lieu après le jour de clôture.');
    expect(besideField(res.text, 'f-opensOn')).toBeNull();
    for (const [name, value] of [['title', 'x'], ['opensOn', day(10)], ['closesOn', day(8)], ['drawOn', day(6)]]) {
      expect(res.text, name).toMatch(new RegExp(`id="f-${name}" name="${name}" type="(text|date)" value="${value}"`));
    }
    const [summary] = errorSummaries(res.text);
    expect(summary).toContain('Le formulaire contient 3 erreurs :');
    expect(summaryLinks(summary).map((l) => l.href)).toEqual(['#f-title', '#f-closesOn', '#f-drawOn']);
    expect(brokenSummaryLinks(res.text, summary)).toEqual([]);
    expect(await t.deps.db.contest.count({ where: { title: 'x' } })).toBe(0);
  });

  it('a draw on the closing day, with a bad number of reserves: both at the first submission', async () => {
    const res = await postForm(agent, '/gestion/concours', '/gestion/concours', {
      title: 'Concours de printemps', opensOn: day(1), closesOn: day(5), drawOn: day(5), reserves: 'deux', claimDays: '30',
    });
    expect(res.status).toBe(422);
    expect(besideField(res.text, 'f-drawOn')).toBe('Le tirage doit avoir lieu après le jour de clôture.');
    expect(besideField(res.text, 'f-reserves')).not.toBeNull();
    expect(besideField(res.text, 'f-closesOn')).toBeNull();
  });

  it('a date that is no date gets its own message, not the order’s', async () => {
    const res = await postForm(agent, '/gestion/concours', '/gestion/concours', {
      title: 'x', opensOn: day(10), closesOn: day(10).slice(0, 4) + '-02-30', drawOn: day(6), reserves: '1', claimDays: '30',
    });
    expect(res.status).toBe(422);
    expect(besideField(res.text, 'f-closesOn')).toBe('Clôture : cette date n’existe pas.');
    expect(besideField(res.text, 'f-drawOn')).toBeNull();
  });

  it('on a draft being edited too; dates in order are accepted', async () => {
    const created = await postForm(agent, '/gestion/concours', '/gestion/concours', {
      title: 'Concours d’été', opensOn: day(1), closesOn: day(5), drawOn: day(7), reserves: '1', claimDays: '30',
    });
    expect(created.status).toBe(303);
    const url = created.headers.location as string;
    const bad = await postForm(agent, url, url, { title: '', opensOn: day(6), closesOn: day(5), drawOn: day(7), reserves: '1', claimDays: '30' });
    expect(bad.status).toBe(422);
    expect(besideField(bad.text, 'f-title')).not.toBeNull();
    expect(besideField(bad.text, 'f-closesOn')).toBe('La clôture doit suivre l’ouverture.');
    const contest = await t.deps.db.contest.findUniqueOrThrow({ where: { id: url.split('/').pop()! } });
    expect(parisDay(contest.opensAt)).toBe(day(1));
  });
});

// The admins' audit journal (/admin/journal): filters in a GET form, pages by keyset.
import { Router } from 'express';
import type { Request, Response } from 'express';
import type { Deps } from '../deps.ts';
import { dayField } from '../core/fields.ts';
import { nextDay, parisDayStart } from '../core/dates.ts';
import { bigintId, pageHref, parseCursor } from '../core/keyset.ts';
import type { Cursor } from '../core/keyset.ts';
import { memberNumber, parseMemberNumber } from '../core/member-number.ts';
import { journalPage } from './service.ts';
import type { JournalFilter } from './service.ts';

/** The form's fields, as typed (the links' query keys too). */
const FIELDS = ['action', 'membre', 'du', 'au'] as const;
type Values = Partial<Record<(typeof FIELDS)[number], string>>;

/** One query value as typed: a repeated key (an array) or an object is not one. */
const text = (v: unknown): string | undefined => (typeof v === 'string' ? v.trim() : v === undefined ? undefined : '\u0000');

interface Parsed {
  values: Values;
  errors: Record<string, string>;
  filter: JournalFilter;
  cursor?: { dir: 'older' | 'newer'; at: Cursor<bigint>; raw: string };
}

/** The journal's query: French messages by field; each filter checked on its own. */
async function parseJournalQuery(deps: Deps, req: Request): Promise<Parsed> {
  const values: Values = {};
  const errors: Record<string, string> = {};
  const filter: JournalFilter = {};
  for (const k of FIELDS) {
    const v = text(req.query[k]);
    if (v === '\u0000') errors[k] = 'Une seule valeur par champ du formulaire.';
    else if (v) values[k] = v.slice(0, 100);
  }
  if (values.action && !errors.action) {
    if (deps.registry.auditLabels[values.action]) filter.action = values.action;
    else errors.action = 'Action : choisissez une action de la liste.';
  }
  if (values.membre) {
    const n = parseMemberNumber(values.membre);
    if (n === null) errors.membre = 'Numéro de membre : M suivi de chiffres, par exemple M000123.';
    else {
      const m = await deps.db.member.findUnique({ where: { number: n }, select: { id: true } });
      if (!m) errors.membre = `Numéro de membre : aucun membre ne porte le numéro ${memberNumber(n)}.`;
      else {
        filter.memberId = m.id;
        values.membre = memberNumber(n);
      }
    }
  }
  for (const [key, label] of [['du', 'Du'], ['au', 'Au']] as const) {
    if (!values[key]) continue;
    const d = dayField(label).safeParse(values[key]);
    if (!d.success) errors[key] = d.error.issues[0].message;
  }
  if (values.du && values.au && !errors.du && !errors.au && values.au < values.du) errors.au = 'Au : la date de fin précède la date de début.';
  if (values.du && !errors.du) filter.from = parisDayStart(values.du);
  if (values.au && !errors.au) filter.until = parisDayStart(nextDay(values.au));
  const before = req.query.avant;
  const after = req.query.apres;
  if (before !== undefined || after !== undefined) {
    const raw = before ?? after;
    const at = before !== undefined && after !== undefined ? null : parseCursor(raw, bigintId);
    if (!at) errors._page = 'Ce lien de page n’est pas valide : la liste reprend à la première page si vous validez le formulaire.';
    else return { values, errors, filter, cursor: { dir: before !== undefined ? 'older' : 'newer', at, raw: raw as string } };
  }
  return { values, errors, filter };
}

export function auditAdminRoutes(deps: Deps): Router {
  // The registry is fixed once the app is built: the select's options are sorted once.
  const actions = Object.entries(deps.registry.auditLabels)
    .map(([value, label]) => ({ value, label }))
    .sort((a, b) => a.label.localeCompare(b.label, 'fr'));
  return Router().get('/journal', async (req: Request, res: Response) => {
    const q = await parseJournalQuery(deps, req);
    const base = { title: 'Journal d’audit', actions, values: q.values, errors: q.errors };
    if (Object.keys(q.errors).length) {
      res.status(422);
      return res.page('audit/journal', { ...base, events: [], prevHref: null, nextHref: null });
    }
    const page = await journalPage(deps, q.filter, q.cursor?.dir, q.cursor?.at, q.cursor?.raw);
    const href = (cursor: { avant?: string; apres?: string }) => pageHref('/admin/journal', q.values, cursor);
    res.page('audit/journal', {
      ...base,
      events: page.rows,
      prevHref: page.newer ? href({ apres: page.newer }) : null,
      nextHref: page.older ? href({ avant: page.older }) : null,
    });
  });
}

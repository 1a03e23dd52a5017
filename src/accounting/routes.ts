// The accountant's pages (/comptabilite): dashboard, periods, chart of accounts, balance, exports.
import { Router } from 'express';
import type { Request, Response } from 'express';
import type { z } from 'zod';
import type { Deps } from '../deps.ts';
import type { FormState } from '../http/forms.ts';
import { flash } from '../http/flash.ts';
import { parisDay } from '../core/dates.ts';
import { fieldErrors, formAction, keepValues } from '../http/forms.ts';
import { AtQuery, ChartSchema, CloseSchema, JournalQuery, RangeQuery, YearQuery } from './schema.ts';
import {
  creditLinesCsv, eReportingCsv, fecChunks, fecFileName, generalLedgerCsv, journalCsvChunks, outstandingCreditCsv,
  salesByRate, salesByRateCsv, trialBalance, trialBalanceCsv,
} from './exports.ts';
import { sendChunks } from './stream.ts';
import { chartRows, closeAccountingPeriod, journalTotals, lastExports, monthlySales, monthLabel, periodStatus, recordExport, updateChartAccount } from './service.ts';
import { salesChartSvg } from './chart-svg.ts';
import { FEC_DESCRIPTION } from './fec-description.ts';
import { JOURNAL_LABELS } from './format.ts';

const empty: FormState = { values: {}, errors: {} };

type Parsed<T> = { ok: true; data: T } | { ok: false; form: FormState };

/** Parses a query string with its schema; bad input gives the French messages by field and the typed values. */
function parseQuery<S extends z.ZodType>(schema: S, req: Request): Parsed<z.output<S>> {
  const parsed = schema.safeParse(req.query);
  if (parsed.success) return { ok: true, data: parsed.data };
  return { ok: false, form: { values: keepValues(req.query), errors: fieldErrors(parsed.error) } };
}

/** The dashboard's export form that sends each download (the error is shown beside its fields). */
const EXPORT_FORMS: Record<string, string> = {
  fec: 'fec',
  journal: 'journal',
  balance: 'balance',
  'grand-livre': 'balance',
  'ventes-tva': 'ventes',
  'e-reporting': 'ventes',
  'credit-mouvements': 'credit',
  'credit-soldes': 'soldes',
};

export function accountingRoutes(deps: Deps): Router {
  const r = Router();
  const today = () => parisDay(deps.clock.now());

  /** The dashboard; `failed`: an export refused for its parameters, shown in its form (422). */
  const dashboard = async (res: Response, failed?: { form: string } & FormState) => {
    const day = today();
    const year = Number(day.slice(0, 4));
    const months = await monthlySales(deps, year);
    if (failed) res.status(422);
    res.page('accounting/dashboard', {
      title: 'Comptabilité',
      year,
      today: day,
      yearStart: `${year}-01-01`,
      periods: await periodStatus(deps, year),
      totals: await journalTotals(deps, year),
      journals: JOURNAL_LABELS,
      chart: salesChartSvg(months),
      months,
      monthLabel,
      exports: await lastExports(deps),
      failed: failed ?? null,
    });
  };
  r.get('/', (_req, res) => dashboard(res));

  /** An export's parameters, or the dashboard again with the error beside that export's fields. */
  const exportQuery = async <S extends z.ZodType>(schema: S, what: string, req: Request, res: Response): Promise<z.output<S> | null> => {
    const q = parseQuery(schema, req);
    if (q.ok) return q.data;
    await dashboard(res, { form: EXPORT_FORMS[what] ?? what, ...q.form });
    return null;
  };

  const periodsPage = async (req: Request, res: Response, form: FormState = empty) => {
    const year = Number(today().slice(0, 4));
    res.page('accounting/periods', {
      title: 'Périodes comptables',
      current: await periodStatus(deps, year),
      previous: await periodStatus(deps, year - 1),
      monthLabel,
      ...form,
    });
  };
  r.get('/periodes', (req, res) => periodsPage(req, res));
  r.post(
    '/periodes',
    formAction({
      schema: CloseSchema,
      render: periodsPage,
      run: (req, data) => closeAccountingPeriod(deps, req.member!.id, data.period),
      done: (req, res, result) => {
        const p = String(req.body.period);
        flash(req, result.closed ? 'success' : 'info', result.closed ? `Période ${p.length === 4 ? `exercice ${p}` : monthLabel(p)} clôturée.` : 'Cette période était déjà clôturée.');
        res.redirect(303, '/comptabilite/periodes');
      },
    }),
  );

  const chartPage = async (_req: Request, res: Response, form: FormState = empty) =>
    res.page('accounting/chart', { title: 'Plan comptable', accounts: await chartRows(deps), ...form });
  r.get('/plan-comptable', (req, res) => chartPage(req, res));
  r.post(
    '/plan-comptable',
    formAction({
      schema: ChartSchema,
      render: chartPage,
      run: (req, data) => updateChartAccount(deps, req.member!.id, data),
      done: (req, res) => {
        flash(req, 'success', 'Compte enregistré : il s’applique aux écritures validées à partir de maintenant.');
        res.redirect(303, '/comptabilite/plan-comptable');
      },
    }),
  );

  r.get('/balance', async (req, res) => {
    const q = req.query.date === undefined ? ({ ok: true, data: { date: today() } } as const) : parseQuery(AtQuery, req);
    if (!q.ok) {
      res.status(422);
      return res.page('accounting/balance', { title: 'Balance générale', at: null, rows: [], debit: 0n, credit: 0n, ...q.form });
    }
    const at = q.data.date;
    res.page('accounting/balance', { title: 'Balance générale', at, ...(await trialBalance(deps.db, at)), ...empty });
  });

  r.get('/ventes-tva', async (req, res) => {
    const q = req.query.du === undefined && req.query.au === undefined ? ({ ok: true, data: { du: `${today().slice(0, 7)}-01`, au: today() } } as const) : parseQuery(RangeQuery, req);
    if (!q.ok) {
      res.status(422);
      return res.page('accounting/sales', { title: 'Ventes par taux de TVA', du: q.form.values.du ?? '', au: q.form.values.au ?? '', rows: null, ...q.form });
    }
    res.page('accounting/sales', { title: 'Ventes par taux de TVA', ...q.data, rows: await salesByRate(deps.db, q.data.du, q.data.au), ...empty });
  });

  // ---- Downloads: each is audited, then streamed ----
  const csv = 'text/csv; charset=utf-8';
  r.get('/exports/fec', async (req, res) => {
    const q = await exportQuery(YearQuery, 'fec', req, res);
    if (!q) return;
    const { exercice } = q;
    await recordExport(deps, req.member!.id, 'fec', { exercice: String(exercice) });
    await sendChunks(res, fecFileName(deps.config.accounting.siren, exercice), 'text/plain; charset=utf-8', fecChunks(deps.db, exercice));
  });
  r.get('/exports/fec/description', (_req, res) => {
    res.setHeader('Content-Disposition', 'attachment; filename="FEC-description.txt"');
    res.type('text/plain; charset=utf-8').send(FEC_DESCRIPTION(deps.config.accounting.siren));
  });
  r.get('/exports/journal.csv', async (req, res) => {
    const q = await exportQuery(JournalQuery, 'journal', req, res);
    if (!q) return;
    await recordExport(deps, req.member!.id, 'journal', { du: q.du, au: q.au, journal: q.journal || 'tous' });
    await sendChunks(res, `journal-${q.journal || 'tous'}-${q.du}-${q.au}.csv`, csv, journalCsvChunks(deps.db, q.du, q.au, q.journal || null));
  });
  r.get('/exports/balance.csv', async (req, res) => {
    const q = await exportQuery(AtQuery, 'balance', req, res);
    if (!q) return;
    const { date } = q;
    await recordExport(deps, req.member!.id, 'balance', { date });
    await sendChunks(res, `balance-${date}.csv`, csv, trialBalanceCsv(deps.db, date));
  });
  r.get('/exports/grand-livre.csv', async (req, res) => {
    const q = await exportQuery(AtQuery, 'grand-livre', req, res);
    if (!q) return;
    const { date } = q;
    await recordExport(deps, req.member!.id, 'grand-livre', { date });
    await sendChunks(res, `grand-livre-${date}.csv`, csv, generalLedgerCsv(deps.db, date));
  });
  r.get('/exports/ventes-tva.csv', async (req, res) => {
    const q = await exportQuery(RangeQuery, 'ventes-tva', req, res);
    if (!q) return;
    await recordExport(deps, req.member!.id, 'ventes-tva', q);
    await sendChunks(res, `ventes-tva-${q.du}-${q.au}.csv`, csv, salesByRateCsv(deps.db, q.du, q.au));
  });
  r.get('/exports/credit-mouvements.csv', async (req, res) => {
    const q = await exportQuery(RangeQuery, 'credit-mouvements', req, res);
    if (!q) return;
    await recordExport(deps, req.member!.id, 'credit-mouvements', q);
    await sendChunks(res, `credit-mouvements-${q.du}-${q.au}.csv`, csv, creditLinesCsv(deps.db, q.du, q.au));
  });
  r.get('/exports/credit-soldes.csv', async (req, res) => {
    const q = await exportQuery(AtQuery, 'credit-soldes', req, res);
    if (!q) return;
    const { date } = q;
    await recordExport(deps, req.member!.id, 'credit-soldes', { date });
    await sendChunks(res, `credit-soldes-${date}.csv`, csv, outstandingCreditCsv(deps.db, date));
  });
  r.get('/exports/e-reporting.csv', async (req, res) => {
    const q = await exportQuery(RangeQuery, 'e-reporting', req, res);
    if (!q) return;
    await recordExport(deps, req.member!.id, 'e-reporting', q);
    await sendChunks(res, `e-reporting-b2c-${q.du}-${q.au}.csv`, csv, eReportingCsv(deps.db, q.du, q.au));
  });
  return r;
}

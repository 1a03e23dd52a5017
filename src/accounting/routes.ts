// The accountant's pages (/comptabilite): dashboard, periods, chart of accounts, balance, exports.
import { Router } from 'express';
import type { Request, Response } from 'express';
import type { z } from 'zod';
import type { Deps } from '../deps.ts';
import { formAction } from '../http/forms.ts';
import type { FormState } from '../http/forms.ts';
import { flash } from '../http/flash.ts';
import { ValidationError } from '../core/errors.ts';
import { parisDay } from '../core/dates.ts';
import { fieldErrors } from '../http/forms.ts';
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

/** Parses a query string with its schema; bad input is a 422 page with the first French message. */
function query<S extends z.ZodType>(schema: S, req: Request): z.output<S> {
  const parsed = schema.safeParse(req.query);
  if (!parsed.success) {
    const errors = fieldErrors(parsed.error);
    const [field, message] = Object.entries(errors)[0] ?? ['_form', 'Paramètres invalides.'];
    throw new ValidationError(message, field);
  }
  return parsed.data;
}

export function accountingRoutes(deps: Deps): Router {
  const r = Router();
  const today = () => parisDay(deps.clock.now());

  r.get('/', async (_req, res) => {
    const day = today();
    const year = Number(day.slice(0, 4));
    const months = await monthlySales(deps, year);
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
    });
  });

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
    const at = req.query.date === undefined ? today() : query(AtQuery, req).date;
    res.page('accounting/balance', { title: 'Balance générale', at, ...(await trialBalance(deps.db, at)) });
  });

  r.get('/ventes-tva', async (req, res) => {
    const q = req.query.du === undefined ? { du: `${today().slice(0, 7)}-01`, au: today() } : query(RangeQuery, req);
    res.page('accounting/sales', { title: 'Ventes par taux de TVA', ...q, rows: await salesByRate(deps.db, q.du, q.au) });
  });

  // ---- Downloads: each is audited, then streamed ----
  const csv = 'text/csv; charset=utf-8';
  r.get('/exports/fec', async (req, res) => {
    const { exercice } = query(YearQuery, req);
    await recordExport(deps, req.member!.id, 'fec', { exercice: String(exercice) });
    await sendChunks(res, fecFileName(deps.config.accounting.siren, exercice), 'text/plain; charset=utf-8', fecChunks(deps.db, exercice));
  });
  r.get('/exports/fec/description', (_req, res) => {
    res.setHeader('Content-Disposition', 'attachment; filename="FEC-description.txt"');
    res.type('text/plain; charset=utf-8').send(FEC_DESCRIPTION(deps.config.accounting.siren));
  });
  r.get('/exports/journal.csv', async (req, res) => {
    const q = query(JournalQuery, req);
    await recordExport(deps, req.member!.id, 'journal', { du: q.du, au: q.au, journal: q.journal || 'tous' });
    await sendChunks(res, `journal-${q.journal || 'tous'}-${q.du}-${q.au}.csv`, csv, journalCsvChunks(deps.db, q.du, q.au, q.journal || null));
  });
  r.get('/exports/balance.csv', async (req, res) => {
    const { date } = query(AtQuery, req);
    await recordExport(deps, req.member!.id, 'balance', { date });
    await sendChunks(res, `balance-${date}.csv`, csv, trialBalanceCsv(deps.db, date));
  });
  r.get('/exports/grand-livre.csv', async (req, res) => {
    const { date } = query(AtQuery, req);
    await recordExport(deps, req.member!.id, 'grand-livre', { date });
    await sendChunks(res, `grand-livre-${date}.csv`, csv, generalLedgerCsv(deps.db, date));
  });
  r.get('/exports/ventes-tva.csv', async (req, res) => {
    const q = query(RangeQuery, req);
    await recordExport(deps, req.member!.id, 'ventes-tva', q);
    await sendChunks(res, `ventes-tva-${q.du}-${q.au}.csv`, csv, salesByRateCsv(deps.db, q.du, q.au));
  });
  r.get('/exports/credit-mouvements.csv', async (req, res) => {
    const q = query(RangeQuery, req);
    await recordExport(deps, req.member!.id, 'credit-mouvements', q);
    await sendChunks(res, `credit-mouvements-${q.du}-${q.au}.csv`, csv, creditLinesCsv(deps.db, q.du, q.au));
  });
  r.get('/exports/credit-soldes.csv', async (req, res) => {
    const { date } = query(AtQuery, req);
    await recordExport(deps, req.member!.id, 'credit-soldes', { date });
    await sendChunks(res, `credit-soldes-${date}.csv`, csv, outstandingCreditCsv(deps.db, date));
  });
  r.get('/exports/e-reporting.csv', async (req, res) => {
    const q = query(RangeQuery, req);
    await recordExport(deps, req.member!.id, 'e-reporting', q);
    await sendChunks(res, `e-reporting-b2c-${q.du}-${q.au}.csv`, csv, eReportingCsv(deps.db, q.du, q.au));
  });
  return r;
}

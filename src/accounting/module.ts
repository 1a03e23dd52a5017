// Accounting: the general journal, period closing, the accountant's exports and pages.
import type { DomainModule } from '../core/module.ts';
import { accountingRoutes } from './routes.ts';
import { ACCOUNTING_AUDIT } from './service.ts';

const A = 'accounting' as const;

export const accountingModule: DomainModule = {
  name: 'accounting',
  routes: { accountant: accountingRoutes },
  audit: ACCOUNTING_AUDIT,
  nav: [
    { area: 'accountant', href: '/comptabilite/periodes', label: 'Périodes', hint: 'Clôturer un mois ou un exercice.' },
    { area: 'accountant', href: '/comptabilite/balance', label: 'Balance générale', hint: 'La balance à une date, à l’écran ou en CSV.' },
    { area: 'accountant', href: '/comptabilite/ventes-tva', label: 'Ventes par taux de TVA', hint: 'Pour la déclaration de TVA.' },
    { area: 'accountant', href: '/comptabilite/plan-comptable', label: 'Plan comptable', hint: 'Numéros et libellés des comptes.' },
  ],
  classification: {
    // The journal holds no personal data: member numbers are pseudonymous, labels use order,
    // invoice and member numbers only. Kept 10 years (Code de commerce L123-22), never erased.
    JournalEntry: {
      onErase: 'keep',
      fields: { id: A, number: A, journal: A, date: A, piece: A, label: A, validatedAt: A, idempotencyKey: A, reversesId: A },
    },
    JournalLine: {
      onErase: 'keep',
      fields: {
        id: A, entryId: A, position: A, accountKey: A, accountNumber: A, accountLabel: A,
        memberNumber: A, auxNumber: A, auxLabel: A, vatRateBp: A, label: A, debitCents: A, creditCents: A,
      },
    },
    AccountingClosure: { onErase: 'keep', fields: { period: A, closedAt: A } },
    ChartAccount: { onErase: 'keep', fields: { key: A, number: A, label: A, updatedAt: A } },
    // Sums of the lines per month, journal and account (no member number): derived accounting data.
    LedgerMonthTotal: {
      onErase: 'keep',
      fields: { month: A, journal: A, accountKey: A, accountNumber: A, debitCents: A, creditCents: A, lineCount: A, entryCount: A },
    },
  },
};

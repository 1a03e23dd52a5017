// Accounting: the general journal, period closing, the accountant's exports and pages.
import type { DomainModule } from '../core/module.ts';

const A = 'accounting' as const;

export const accountingModule: DomainModule = {
  name: 'accounting',
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
  },
};

// Period closing: a closed month ('AAAA-MM') or fiscal year ('AAAA', the calendar year) accepts no
// more entries; events after closing are dated the first day of the next open period.
import type { Prisma } from '../generated/prisma/client.ts';
import { ConflictError, ValidationError } from '../core/errors.ts';

type Tx = Prisma.TransactionClient;

/**
 * Serialises closing with posting: postEntry reads the closed periods after taking the journal
 * counter's row lock, and closing takes the same lock, so no entry lands in a period closed meanwhile.
 */
export async function lockJournal(tx: Tx): Promise<void> {
  await tx.$executeRaw`INSERT INTO "Counter" (name, value) VALUES ('journal', 0) ON CONFLICT (name) DO NOTHING`;
  await tx.$queryRaw`SELECT value FROM "Counter" WHERE name = 'journal' FOR UPDATE`;
}

export const isMonthPeriod = (p: string): boolean => /^\d{4}-(0[1-9]|1[0-2])$/.test(p);
export const isYearPeriod = (p: string): boolean => /^\d{4}$/.test(p);

/** Closes a month or a fiscal year (final). Returns false when it was already closed. */
export async function closePeriod(tx: Tx, period: string, at: Date): Promise<boolean> {
  if (!isMonthPeriod(period) && !isYearPeriod(period)) throw new ValidationError('Période invalide : AAAA-MM pour un mois, AAAA pour un exercice.', 'period');
  await lockJournal(tx);
  const existing = await tx.accountingClosure.findUnique({ where: { period } });
  if (existing) return false;
  if (isMonthPeriod(period) && (await tx.accountingClosure.findUnique({ where: { period: period.slice(0, 4) } }))) {
    throw new ConflictError('Cet exercice est déjà clôturé.', 'period');
  }
  await tx.accountingClosure.create({ data: { period, closedAt: at } });
  return true;
}

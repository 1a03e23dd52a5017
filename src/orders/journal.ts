// The orders' side of the general journal: every booking goes through here, in the caller's
// transaction, with one idempotency key per event (src/accounting/journal.ts does the rest).
import type { Prisma } from '../generated/prisma/client.ts';
import { postEntry } from '../accounting/journal.ts';
import { balanceOfLines } from './bookings.ts';
import type { JournalLine } from './bookings.ts';

export interface OrderEntry {
  journal: 'VE' | 'BQ' | 'OD';
  at: Date;
  piece: string;
  label: string;
  idempotencyKey: string;
  lines: JournalLine[];
}

export async function postOrderEntry(tx: Prisma.TransactionClient, entry: OrderEntry): Promise<void> {
  if (balanceOfLines(entry.lines) !== 0) throw new Error(`unbalanced entry ${entry.idempotencyKey}`);
  await postEntry(tx, entry);
}

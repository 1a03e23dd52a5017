// Gapless sequences (invoice numbers, journal entry numbers). A PostgreSQL SEQUENCE leaves gaps
// when a transaction rolls back; this counter row is incremented in the caller's transaction and
// stays locked until it commits, so numbers are consecutive in commit order and none is lost.
import type { Prisma } from '../generated/prisma/client.ts';

export async function nextNumber(tx: Prisma.TransactionClient, name: string): Promise<number> {
  const rows = await tx.$queryRaw<{ value: number }[]>`
    INSERT INTO "Counter" (name, value) VALUES (${name}, 1)
    ON CONFLICT (name) DO UPDATE SET value = "Counter".value + 1
    RETURNING value`;
  return rows[0]!.value;
}

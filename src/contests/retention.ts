// Retention of contest data (DESIGN §3): entries lose their member 3 months after the draw, winners
// their name and address 3 months after shipping. A contest closed but never drawn is treated as
// drawn on its announced draw date: its entries lose their member 3 months after it, and it can no
// longer be drawn (decision 0077). The published list and ranking keep only the opaque public ids,
// so a draw stays verifiable for ever.
import type { Deps } from '../deps.ts';

export const RETENTION_MONTHS = 3;

export function monthsBefore(d: Date, months: number): Date {
  const x = new Date(d);
  x.setUTCMonth(x.getUTCMonth() - months);
  return x;
}

export async function runContestRetention(deps: Deps): Promise<{ entries: number; ranks: number }> {
  const cutoff = monthsBefore(deps.clock.now(), RETENTION_MONTHS);
  return deps.db.$transaction(async (tx) => {
    const ranks = await tx.$executeRaw`
      UPDATE "ContestRank" r SET "shipName" = NULL, "shipLine1" = NULL, "shipLine2" = NULL,
        "shipPostcode" = NULL, "shipCity" = NULL, "shipCountry" = NULL, "replacedReason" = NULL
      FROM "Contest" c
      WHERE c.id = r."contestId"
        AND (r."shipName" IS NOT NULL OR r."replacedReason" IS NOT NULL)
        AND (r."shippedAt" < ${cutoff} OR (r."shippedAt" IS NULL AND r.status NOT IN ('CONFIRMED', 'NOTIFIED') AND c."drawnAt" < ${cutoff}))`;
    // A winner still waiting for the prize keeps the link until it is shipped or replaced (an undrawn
    // contest has no rank: the conditions on ranks hold for all its entries).
    const entries = await tx.$executeRaw`
      UPDATE "ContestEntry" e SET "memberId" = NULL, answer = NULL
      FROM "Contest" c
      WHERE c.id = e."contestId" AND e."memberId" IS NOT NULL
        AND (c."drawnAt" < ${cutoff} OR (c."drawnAt" IS NULL AND c.status = 'CLOSED' AND c."drawAt" < ${cutoff}))
        AND NOT EXISTS (SELECT 1 FROM "ContestRank" r WHERE r."entryId" = e.id AND r.status IN ('NOTIFIED', 'CONFIRMED'))
        AND NOT EXISTS (SELECT 1 FROM "ContestRank" r WHERE r."entryId" = e.id AND r.status = 'SHIPPED' AND r."shippedAt" >= ${cutoff})`;
    return { entries, ranks };
  });
}

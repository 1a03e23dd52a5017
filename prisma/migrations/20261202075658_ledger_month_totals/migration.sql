-- CreateTable
CREATE TABLE "LedgerMonthTotal" (
    "month" TEXT NOT NULL,
    "journal" "JournalCode" NOT NULL,
    "accountKey" TEXT NOT NULL,
    "accountNumber" TEXT NOT NULL,
    "debitCents" BIGINT NOT NULL,
    "creditCents" BIGINT NOT NULL,
    "lineCount" INTEGER NOT NULL,
    "entryCount" INTEGER NOT NULL,

    CONSTRAINT "LedgerMonthTotal_pkey" PRIMARY KEY ("month","journal","accountKey","accountNumber")
);

-- CreateIndex
CREATE INDEX "AuditEvent_action_id_idx" ON "AuditEvent"("action", "id");

-- ---- Month totals of the journal (issue 13, docs/decisions/0043-ledger-month-totals.md) ----

ALTER TABLE "LedgerMonthTotal" ADD CONSTRAINT "LedgerMonthTotal_month_format" CHECK ("month" ~ '^[0-9]{4}-[0-9]{2}$');
ALTER TABLE "LedgerMonthTotal" ADD CONSTRAINT "LedgerMonthTotal_not_negative"
  CHECK ("debitCents" >= 0 AND "creditCents" >= 0 AND "lineCount" >= 0 AND "entryCount" >= 0);

-- Backfill from the lines already posted, so that an existing journal is right after migrating
-- (the same grouping as src/accounting/totals.ts).
INSERT INTO "LedgerMonthTotal" ("month", "journal", "accountKey", "accountNumber", "debitCents", "creditCents", "lineCount", "entryCount")
SELECT to_char(e."date", 'YYYY-MM'), e."journal", l."accountKey", l."accountNumber",
       sum(l."debitCents"), sum(l."creditCents"), count(*), count(*) FILTER (WHERE l."position" = 0)
FROM "JournalLine" l JOIN "JournalEntry" e ON e."id" = l."entryId"
GROUP BY 1, 2, 3, 4;

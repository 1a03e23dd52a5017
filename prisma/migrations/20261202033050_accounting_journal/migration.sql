-- CreateEnum
CREATE TYPE "JournalCode" AS ENUM ('VE', 'BQ', 'OD');

-- CreateTable
CREATE TABLE "JournalEntry" (
    "id" BIGSERIAL NOT NULL,
    "number" INTEGER NOT NULL,
    "journal" "JournalCode" NOT NULL,
    "date" DATE NOT NULL,
    "piece" TEXT NOT NULL,
    "label" TEXT NOT NULL,
    "validatedAt" TIMESTAMP(3) NOT NULL,
    "idempotencyKey" TEXT NOT NULL,
    "reversesId" BIGINT,

    CONSTRAINT "JournalEntry_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "JournalLine" (
    "id" BIGSERIAL NOT NULL,
    "entryId" BIGINT NOT NULL,
    "position" INTEGER NOT NULL,
    "accountKey" TEXT NOT NULL,
    "accountNumber" TEXT NOT NULL,
    "accountLabel" TEXT NOT NULL,
    "memberNumber" INTEGER,
    "auxNumber" TEXT,
    "auxLabel" TEXT,
    "vatRateBp" INTEGER,
    "label" TEXT NOT NULL,
    "debitCents" INTEGER NOT NULL DEFAULT 0,
    "creditCents" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "JournalLine_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "AccountingClosure" (
    "period" TEXT NOT NULL,
    "closedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "AccountingClosure_pkey" PRIMARY KEY ("period")
);

-- CreateTable
CREATE TABLE "ChartAccount" (
    "key" TEXT NOT NULL,
    "number" TEXT NOT NULL,
    "label" TEXT NOT NULL,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "ChartAccount_pkey" PRIMARY KEY ("key")
);

-- CreateIndex
CREATE UNIQUE INDEX "JournalEntry_number_key" ON "JournalEntry"("number");

-- CreateIndex
CREATE UNIQUE INDEX "JournalEntry_idempotencyKey_key" ON "JournalEntry"("idempotencyKey");

-- CreateIndex
CREATE INDEX "JournalEntry_date_number_idx" ON "JournalEntry"("date", "number");

-- CreateIndex
CREATE INDEX "JournalEntry_journal_date_idx" ON "JournalEntry"("journal", "date");

-- CreateIndex
CREATE INDEX "JournalLine_accountNumber_entryId_idx" ON "JournalLine"("accountNumber", "entryId");

-- CreateIndex
CREATE INDEX "JournalLine_memberNumber_idx" ON "JournalLine"("memberNumber");

-- CreateIndex
CREATE UNIQUE INDEX "JournalLine_entryId_position_key" ON "JournalLine"("entryId", "position");

-- AddForeignKey
ALTER TABLE "JournalLine" ADD CONSTRAINT "JournalLine_entryId_fkey" FOREIGN KEY ("entryId") REFERENCES "JournalEntry"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- ---- Journal integrity (DESIGN §5), enforced by the database ----

-- A line is a debit or a credit, never both, never zero.
ALTER TABLE "JournalLine" ADD CONSTRAINT "JournalLine_one_side"
  CHECK (("debitCents" > 0 AND "creditCents" = 0) OR ("creditCents" > 0 AND "debitCents" = 0));
ALTER TABLE "JournalEntry" ADD CONSTRAINT "JournalEntry_number_positive" CHECK ("number" > 0);
ALTER TABLE "JournalEntry" ADD CONSTRAINT "JournalEntry_label_not_empty" CHECK (btrim("label") <> '');
ALTER TABLE "JournalLine" ADD CONSTRAINT "JournalLine_label_not_empty" CHECK (btrim("label") <> '');

-- Validated entries and lines are never rewritten nor removed: corrections are reversing entries.
CREATE FUNCTION journal_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'journal is append-only: % on % refused', TG_OP, TG_TABLE_NAME USING ERRCODE = 'P0001';
END $$;
CREATE TRIGGER "JournalEntry_append_only" BEFORE UPDATE OR DELETE ON "JournalEntry"
  FOR EACH ROW EXECUTE FUNCTION journal_refuse_change();
CREATE TRIGGER "JournalLine_append_only" BEFORE UPDATE OR DELETE ON "JournalLine"
  FOR EACH ROW EXECUTE FUNCTION journal_refuse_change();
CREATE TRIGGER "JournalEntry_no_truncate" BEFORE TRUNCATE ON "JournalEntry"
  FOR EACH STATEMENT EXECUTE FUNCTION journal_refuse_change();
CREATE TRIGGER "JournalLine_no_truncate" BEFORE TRUNCATE ON "JournalLine"
  FOR EACH STATEMENT EXECUTE FUNCTION journal_refuse_change();
-- A closure is final too (a fiscal year once closed is not reopened).
CREATE TRIGGER "AccountingClosure_append_only" BEFORE UPDATE OR DELETE ON "AccountingClosure"
  FOR EACH ROW EXECUTE FUNCTION journal_refuse_change();

-- Nothing is posted into a closed month or fiscal year.
CREATE FUNCTION journal_refuse_closed_period() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF EXISTS (SELECT 1 FROM "AccountingClosure"
             WHERE period IN (to_char(NEW."date", 'YYYY-MM'), to_char(NEW."date", 'YYYY'))) THEN
    RAISE EXCEPTION 'journal entry dated % falls in a closed period', NEW."date" USING ERRCODE = 'P0001';
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER "JournalEntry_open_period" BEFORE INSERT ON "JournalEntry"
  FOR EACH ROW EXECUTE FUNCTION journal_refuse_closed_period();

-- Every entry balances, with at least two lines: checked at commit (deferred), once the lines exist.
CREATE FUNCTION journal_check_balance() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  eid bigint;
  n integer;
  d bigint;
  c bigint;
BEGIN
  IF TG_TABLE_NAME = 'JournalEntry' THEN eid := NEW."id"; ELSE eid := NEW."entryId"; END IF;
  SELECT count(*), coalesce(sum("debitCents"), 0), coalesce(sum("creditCents"), 0) INTO n, d, c
    FROM "JournalLine" WHERE "entryId" = eid;
  IF n < 2 OR d <> c THEN
    RAISE EXCEPTION 'journal entry % does not balance (% lines, debit %, credit %)', eid, n, d, c USING ERRCODE = '23514';
  END IF;
  RETURN NULL;
END $$;
CREATE CONSTRAINT TRIGGER "JournalEntry_balanced" AFTER INSERT ON "JournalEntry"
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION journal_check_balance();
CREATE CONSTRAINT TRIGGER "JournalLine_balanced" AFTER INSERT ON "JournalLine"
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION journal_check_balance();

-- AlterTable
ALTER TABLE "CouponBatch" ADD COLUMN     "issuedCount" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "redeemedCount" INTEGER NOT NULL DEFAULT 0;

-- CreateTable
CREATE TABLE "CreditAccount" (
    "memberId" UUID NOT NULL,
    "balanceCents" INTEGER NOT NULL,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "CreditAccount_pkey" PRIMARY KEY ("memberId")
);

-- CreateIndex
CREATE INDEX "Job_status_id_idx" ON "Job"("status", "id");

-- CreateIndex
CREATE INDEX "Member_role_number_idx" ON "Member"("role", "number");


-- A balance is never negative (the ledger refuses such a debit first; this is the backstop).
ALTER TABLE "CreditAccount" ADD CONSTRAINT "CreditAccount_balance_not_negative" CHECK ("balanceCents" >= 0);

-- Existing data: counters and balances computed once from the rows they summarise.
UPDATE "CouponBatch" b SET
  "issuedCount" = (SELECT count(*) FROM "Coupon" c WHERE c."batchId" = b.id),
  "redeemedCount" = (SELECT count(*) FROM "Coupon" c WHERE c."batchId" = b.id AND c."redeemedAt" IS NOT NULL);
INSERT INTO "CreditAccount" ("memberId", "balanceCents", "updatedAt")
  SELECT "memberId", sum("amountCents"), max("createdAt") FROM "CreditLine" GROUP BY "memberId";

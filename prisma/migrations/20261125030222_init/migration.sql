-- CreateSchema
CREATE SCHEMA IF NOT EXISTS "public";

-- CreateEnum
CREATE TYPE "Role" AS ENUM ('MEMBER', 'STAFF', 'ACCOUNTANT', 'ADMIN');

-- CreateEnum
CREATE TYPE "TokenPurpose" AS ENUM ('CONFIRM_EMAIL', 'RESET_PASSWORD');

-- CreateEnum
CREATE TYPE "JobStatus" AS ENUM ('PENDING', 'RUNNING', 'DONE', 'DEAD');

-- CreateEnum
CREATE TYPE "CreditKind" AS ENUM ('COUPON', 'ORDER', 'REFUND', 'ADJUSTMENT', 'EXPIRY');

-- CreateTable
CREATE TABLE "Member" (
    "id" UUID NOT NULL,
    "number" SERIAL NOT NULL,
    "role" "Role" NOT NULL DEFAULT 'MEMBER',
    "email" TEXT,
    "passwordHash" TEXT,
    "firstName" TEXT,
    "lastName" TEXT,
    "addressLine1" TEXT,
    "addressLine2" TEXT,
    "postcode" TEXT,
    "city" TEXT,
    "country" TEXT,
    "phone" TEXT,
    "newsletterOptIn" BOOLEAN NOT NULL DEFAULT false,
    "emailConfirmedAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lastActiveAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "inactivityWarnedAt" TIMESTAMP(3),
    "erasedAt" TIMESTAMP(3),

    CONSTRAINT "Member_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "MemberToken" (
    "id" UUID NOT NULL,
    "memberId" UUID NOT NULL,
    "purpose" "TokenPurpose" NOT NULL,
    "tokenHash" TEXT NOT NULL,
    "email" TEXT,
    "expiresAt" TIMESTAMP(3) NOT NULL,
    "usedAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "MemberToken_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Consent" (
    "id" UUID NOT NULL,
    "memberId" UUID NOT NULL,
    "kind" TEXT NOT NULL,
    "policyVersion" TEXT NOT NULL,
    "givenAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "withdrawnAt" TIMESTAMP(3),

    CONSTRAINT "Consent_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Session" (
    "sid" TEXT NOT NULL,
    "data" TEXT NOT NULL,
    "memberId" UUID,
    "expiresAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Session_pkey" PRIMARY KEY ("sid")
);

-- CreateTable
CREATE TABLE "AuditEvent" (
    "id" BIGSERIAL NOT NULL,
    "at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "action" TEXT NOT NULL,
    "actorMemberId" UUID,
    "subjectMemberId" UUID,
    "details" JSONB,

    CONSTRAINT "AuditEvent_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Job" (
    "id" BIGSERIAL NOT NULL,
    "kind" TEXT NOT NULL,
    "payload" JSONB NOT NULL,
    "status" "JobStatus" NOT NULL DEFAULT 'PENDING',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "maxAttempts" INTEGER NOT NULL DEFAULT 8,
    "runAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lockedAt" TIMESTAMP(3),
    "lockedBy" TEXT,
    "lastError" TEXT,
    "memberId" UUID,
    "uniqueKey" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finishedAt" TIMESTAMP(3),

    CONSTRAINT "Job_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "MailMessage" (
    "id" UUID NOT NULL,
    "to" TEXT NOT NULL,
    "subject" TEXT NOT NULL,
    "text" TEXT NOT NULL,
    "memberId" UUID,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "MailMessage_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "RateLimit" (
    "key" TEXT NOT NULL,
    "windowStart" TIMESTAMP(3) NOT NULL,
    "count" INTEGER NOT NULL,

    CONSTRAINT "RateLimit_pkey" PRIMARY KEY ("key")
);

-- CreateTable
CREATE TABLE "CouponBatch" (
    "id" UUID NOT NULL,
    "label" TEXT NOT NULL,
    "valueCents" INTEGER NOT NULL,
    "quantity" INTEGER NOT NULL,
    "validFrom" TIMESTAMP(3) NOT NULL,
    "validUntil" TIMESTAMP(3) NOT NULL,
    "perMemberLimit" INTEGER,
    "createdById" UUID NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "codesIssuedAt" TIMESTAMP(3),
    "voidedAt" TIMESTAMP(3),
    "voidReason" TEXT,
    "voidedById" UUID,

    CONSTRAINT "CouponBatch_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Coupon" (
    "id" UUID NOT NULL,
    "batchId" UUID NOT NULL,
    "codeHash" TEXT NOT NULL,
    "redeemedAt" TIMESTAMP(3),
    "redeemedById" UUID,

    CONSTRAINT "Coupon_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "CreditLine" (
    "id" BIGSERIAL NOT NULL,
    "memberId" UUID NOT NULL,
    "amountCents" INTEGER NOT NULL,
    "kind" "CreditKind" NOT NULL,
    "label" TEXT NOT NULL,
    "reason" TEXT,
    "couponId" UUID,
    "idempotencyKey" TEXT NOT NULL,
    "createdById" UUID,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "CreditLine_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "Member_number_key" ON "Member"("number");

-- CreateIndex
CREATE UNIQUE INDEX "Member_email_key" ON "Member"("email");

-- CreateIndex
CREATE INDEX "Member_erasedAt_emailConfirmedAt_createdAt_idx" ON "Member"("erasedAt", "emailConfirmedAt", "createdAt");

-- CreateIndex
CREATE INDEX "Member_lastActiveAt_idx" ON "Member"("lastActiveAt");

-- CreateIndex
CREATE UNIQUE INDEX "MemberToken_tokenHash_key" ON "MemberToken"("tokenHash");

-- CreateIndex
CREATE INDEX "MemberToken_memberId_purpose_idx" ON "MemberToken"("memberId", "purpose");

-- CreateIndex
CREATE INDEX "Consent_memberId_idx" ON "Consent"("memberId");

-- CreateIndex
CREATE INDEX "Session_memberId_idx" ON "Session"("memberId");

-- CreateIndex
CREATE INDEX "Session_expiresAt_idx" ON "Session"("expiresAt");

-- CreateIndex
CREATE INDEX "AuditEvent_at_idx" ON "AuditEvent"("at");

-- CreateIndex
CREATE INDEX "AuditEvent_subjectMemberId_idx" ON "AuditEvent"("subjectMemberId");

-- CreateIndex
CREATE UNIQUE INDEX "Job_uniqueKey_key" ON "Job"("uniqueKey");

-- CreateIndex
CREATE INDEX "Job_status_runAt_idx" ON "Job"("status", "runAt");

-- CreateIndex
CREATE INDEX "Job_memberId_idx" ON "Job"("memberId");

-- CreateIndex
CREATE INDEX "MailMessage_memberId_idx" ON "MailMessage"("memberId");

-- CreateIndex
CREATE UNIQUE INDEX "Coupon_codeHash_key" ON "Coupon"("codeHash");

-- CreateIndex
CREATE INDEX "Coupon_batchId_redeemedAt_idx" ON "Coupon"("batchId", "redeemedAt");

-- CreateIndex
CREATE INDEX "Coupon_redeemedById_idx" ON "Coupon"("redeemedById");

-- CreateIndex
CREATE UNIQUE INDEX "CreditLine_idempotencyKey_key" ON "CreditLine"("idempotencyKey");

-- CreateIndex
CREATE INDEX "CreditLine_memberId_id_idx" ON "CreditLine"("memberId", "id");

-- AddForeignKey
ALTER TABLE "MemberToken" ADD CONSTRAINT "MemberToken_memberId_fkey" FOREIGN KEY ("memberId") REFERENCES "Member"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Consent" ADD CONSTRAINT "Consent_memberId_fkey" FOREIGN KEY ("memberId") REFERENCES "Member"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Coupon" ADD CONSTRAINT "Coupon_batchId_fkey" FOREIGN KEY ("batchId") REFERENCES "CouponBatch"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Coupon" ADD CONSTRAINT "Coupon_redeemedById_fkey" FOREIGN KEY ("redeemedById") REFERENCES "Member"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "CreditLine" ADD CONSTRAINT "CreditLine_memberId_fkey" FOREIGN KEY ("memberId") REFERENCES "Member"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- Hand-written: invariants the database enforces itself.
ALTER TABLE "CreditLine" ADD CONSTRAINT "CreditLine_amount_nonzero" CHECK ("amountCents" <> 0);
ALTER TABLE "CouponBatch" ADD CONSTRAINT "CouponBatch_value_positive" CHECK ("valueCents" > 0);
ALTER TABLE "CouponBatch" ADD CONSTRAINT "CouponBatch_quantity_range" CHECK ("quantity" BETWEEN 1 AND 100000);

-- The credit ledger is append-only: amounts, owners and kinds never change, lines are never deleted.
-- (Erasure only clears the free-text reason and the coupon link; see src/privacy/eraser.ts.)
CREATE FUNCTION "credit_line_append_only"() RETURNS trigger AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    RAISE EXCEPTION 'CreditLine is append-only';
  END IF;
  IF NEW."amountCents" <> OLD."amountCents" OR NEW."memberId" <> OLD."memberId" OR NEW."kind" <> OLD."kind" THEN
    RAISE EXCEPTION 'CreditLine is append-only';
  END IF;
  RETURN NEW;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER "CreditLine_append_only" BEFORE UPDATE OR DELETE ON "CreditLine"
  FOR EACH ROW EXECUTE FUNCTION "credit_line_append_only"();

-- AlterTable
ALTER TABLE "AuditEvent" ALTER COLUMN "at" DROP DEFAULT;

-- AlterTable
ALTER TABLE "Consent" ALTER COLUMN "givenAt" DROP DEFAULT;

-- AlterTable
ALTER TABLE "CouponBatch" ALTER COLUMN "createdAt" DROP DEFAULT;

-- AlterTable
ALTER TABLE "CreditLine" ALTER COLUMN "createdAt" DROP DEFAULT;

-- AlterTable
ALTER TABLE "Job" ALTER COLUMN "runAt" DROP DEFAULT,
ALTER COLUMN "createdAt" DROP DEFAULT;

-- AlterTable
ALTER TABLE "MailMessage" ALTER COLUMN "createdAt" DROP DEFAULT;

-- AlterTable
ALTER TABLE "Member" ALTER COLUMN "createdAt" DROP DEFAULT,
ALTER COLUMN "lastActiveAt" DROP DEFAULT;

-- AlterTable
ALTER TABLE "MemberToken" ALTER COLUMN "createdAt" DROP DEFAULT;

-- AlterTable
ALTER TABLE "Member" ADD COLUMN     "sessionsValidAfter" TIMESTAMP(3);

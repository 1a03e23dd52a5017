-- AlterTable
ALTER TABLE "NewsletterSync" ADD COLUMN     "knownHashes" TEXT[] DEFAULT ARRAY[]::TEXT[];

-- Rows synced before this column: the address Mailchimp holds now is known; an address it held
-- before an earlier change was not recorded anywhere and cannot be recovered here.
UPDATE "NewsletterSync" SET "knownHashes" = ARRAY["remoteHash"] WHERE "remoteHash" IS NOT NULL;

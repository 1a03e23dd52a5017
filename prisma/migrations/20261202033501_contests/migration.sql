-- CreateEnum
CREATE TYPE "ContestStatus" AS ENUM ('DRAFT', 'OPEN', 'CLOSED', 'DRAWN', 'ARCHIVED');

-- CreateEnum
CREATE TYPE "ContestRankRole" AS ENUM ('WINNER', 'RESERVE');

-- CreateEnum
CREATE TYPE "ContestRankStatus" AS ENUM ('WAITING', 'NOTIFIED', 'CONFIRMED', 'SHIPPED', 'REPLACED');

-- CreateTable
CREATE TABLE "Contest" (
    "id" UUID NOT NULL,
    "publicId" TEXT NOT NULL,
    "slug" TEXT NOT NULL,
    "title" TEXT NOT NULL,
    "description" TEXT NOT NULL DEFAULT '',
    "question" TEXT,
    "opensAt" TIMESTAMP(3) NOT NULL,
    "closesAt" TIMESTAMP(3) NOT NULL,
    "drawAt" TIMESTAMP(3) NOT NULL,
    "reserves" INTEGER NOT NULL DEFAULT 0,
    "claimDays" INTEGER NOT NULL DEFAULT 30,
    "status" "ContestStatus" NOT NULL DEFAULT 'DRAFT',
    "seed" TEXT,
    "seedHash" TEXT,
    "listHash" TEXT,
    "entryCount" INTEGER,
    "algorithm" INTEGER,
    "rulesFile" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL,
    "updatedAt" TIMESTAMP(3) NOT NULL,
    "openedAt" TIMESTAMP(3),
    "closedAt" TIMESTAMP(3),
    "drawnAt" TIMESTAMP(3),

    CONSTRAINT "Contest_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ContestPrize" (
    "id" UUID NOT NULL,
    "contestId" UUID NOT NULL,
    "position" INTEGER NOT NULL DEFAULT 0,
    "name" TEXT NOT NULL,
    "quantity" INTEGER NOT NULL,
    "unitCostCents" INTEGER NOT NULL,
    "pictureFile" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "ContestPrize_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ContestEntry" (
    "id" UUID NOT NULL,
    "publicId" TEXT NOT NULL,
    "contestId" UUID NOT NULL,
    "memberId" UUID,
    "answer" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "ContestEntry_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ContestRank" (
    "id" UUID NOT NULL,
    "contestId" UUID NOT NULL,
    "rank" INTEGER NOT NULL,
    "entryId" UUID NOT NULL,
    "role" "ContestRankRole" NOT NULL,
    "status" "ContestRankStatus" NOT NULL,
    "prizeId" UUID,
    "displayName" TEXT,
    "claimDeadline" TIMESTAMP(3),
    "notifiedAt" TIMESTAMP(3),
    "shipName" TEXT,
    "shipLine1" TEXT,
    "shipLine2" TEXT,
    "shipPostcode" TEXT,
    "shipCity" TEXT,
    "shipCountry" TEXT,
    "confirmedAt" TIMESTAMP(3),
    "shippedAt" TIMESTAMP(3),
    "replacedAt" TIMESTAMP(3),
    "replacedReason" TEXT,
    "replacedById" UUID,
    "promotedAt" TIMESTAMP(3),

    CONSTRAINT "ContestRank_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "Contest_publicId_key" ON "Contest"("publicId");

-- CreateIndex
CREATE UNIQUE INDEX "Contest_slug_key" ON "Contest"("slug");

-- CreateIndex
CREATE INDEX "Contest_status_opensAt_idx" ON "Contest"("status", "opensAt");

-- CreateIndex
CREATE INDEX "ContestPrize_contestId_position_idx" ON "ContestPrize"("contestId", "position");

-- CreateIndex
CREATE UNIQUE INDEX "ContestEntry_publicId_key" ON "ContestEntry"("publicId");

-- CreateIndex
CREATE INDEX "ContestEntry_memberId_idx" ON "ContestEntry"("memberId");

-- CreateIndex
CREATE UNIQUE INDEX "ContestEntry_contestId_memberId_key" ON "ContestEntry"("contestId", "memberId");

-- CreateIndex
CREATE INDEX "ContestRank_status_idx" ON "ContestRank"("status");

-- CreateIndex
CREATE UNIQUE INDEX "ContestRank_contestId_rank_key" ON "ContestRank"("contestId", "rank");

-- CreateIndex
CREATE UNIQUE INDEX "ContestRank_contestId_entryId_key" ON "ContestRank"("contestId", "entryId");

-- AddForeignKey
ALTER TABLE "ContestPrize" ADD CONSTRAINT "ContestPrize_contestId_fkey" FOREIGN KEY ("contestId") REFERENCES "Contest"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ContestEntry" ADD CONSTRAINT "ContestEntry_contestId_fkey" FOREIGN KEY ("contestId") REFERENCES "Contest"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ContestRank" ADD CONSTRAINT "ContestRank_contestId_fkey" FOREIGN KEY ("contestId") REFERENCES "Contest"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ContestRank" ADD CONSTRAINT "ContestRank_entryId_fkey" FOREIGN KEY ("entryId") REFERENCES "ContestEntry"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- Contests: sane numbers, and no entry written into a list that is no longer open (the list is
-- frozen and hashed at the close; the service checks it too, this is the database's guarantee).
ALTER TABLE "Contest" ADD CONSTRAINT "Contest_numbers_check" CHECK ("reserves" >= 0 AND "claimDays" >= 1 AND ("entryCount" IS NULL OR "entryCount" >= 0));
ALTER TABLE "ContestPrize" ADD CONSTRAINT "ContestPrize_numbers_check" CHECK ("quantity" >= 1 AND "unitCostCents" >= 0);
ALTER TABLE "ContestRank" ADD CONSTRAINT "ContestRank_rank_check" CHECK ("rank" >= 1);

CREATE FUNCTION contest_entry_open() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM "Contest" WHERE id = NEW."contestId" AND status = 'OPEN') THEN
    RAISE EXCEPTION 'contest % is not open for entries', NEW."contestId" USING ERRCODE = 'check_violation';
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER "ContestEntry_open" BEFORE INSERT ON "ContestEntry" FOR EACH ROW EXECUTE FUNCTION contest_entry_open();

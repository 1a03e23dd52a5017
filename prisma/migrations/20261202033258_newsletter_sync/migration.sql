-- CreateTable
CREATE TABLE "NewsletterSync" (
    "memberId" UUID NOT NULL,
    "remoteHash" TEXT,
    "remoteStatus" TEXT,
    "queued" INTEGER NOT NULL DEFAULT 0,
    "applied" INTEGER NOT NULL DEFAULT 0,
    "lastSyncAt" TIMESTAMP(3),
    "lastError" TEXT,
    "lastErrorAt" TIMESTAMP(3),
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "NewsletterSync_pkey" PRIMARY KEY ("memberId")
);

-- CreateTable
CREATE TABLE "NewsletterHandover" (
    "id" UUID NOT NULL,
    "memberId" UUID NOT NULL,
    "at" TIMESTAMP(3) NOT NULL,
    "action" TEXT NOT NULL,

    CONSTRAINT "NewsletterHandover_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "NewsletterSync_remoteHash_idx" ON "NewsletterSync"("remoteHash");

-- CreateIndex
CREATE INDEX "NewsletterSync_lastErrorAt_idx" ON "NewsletterSync"("lastErrorAt");

-- CreateIndex
CREATE INDEX "NewsletterHandover_memberId_at_idx" ON "NewsletterHandover"("memberId", "at");

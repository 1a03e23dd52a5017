-- DropIndex
DROP INDEX "Coupon_redeemedById_idx";

-- CreateTable
CREATE TABLE "CouponRedemptionDay" (
    "batchId" UUID NOT NULL,
    "day" TEXT NOT NULL,
    "count" INTEGER NOT NULL,

    CONSTRAINT "CouponRedemptionDay_pkey" PRIMARY KEY ("batchId","day")
);

-- CreateIndex
CREATE INDEX "Coupon_redeemedById_redeemedAt_idx" ON "Coupon"("redeemedById", "redeemedAt");

-- Existing redemptions counted once from the coupons they summarise.
INSERT INTO "CouponRedemptionDay" ("batchId", day, count)
  SELECT "batchId", to_char(("redeemedAt" AT TIME ZONE 'UTC') AT TIME ZONE 'Europe/Paris', 'YYYY-MM-DD'), count(*)::int
    FROM "Coupon" WHERE "redeemedAt" IS NOT NULL GROUP BY 1, 2;

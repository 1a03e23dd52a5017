-- CreateEnum
CREATE TYPE "OrderStatus" AS ENUM ('AWAITING_PAYMENT', 'PAID', 'PREPARING', 'SHIPPED', 'DELIVERED', 'CANCELLED', 'REFUNDED');

-- CreateTable
CREATE TABLE "Order" (
    "id" UUID NOT NULL,
    "reference" TEXT NOT NULL,
    "memberId" UUID NOT NULL,
    "status" "OrderStatus" NOT NULL,
    "idempotencyKey" TEXT NOT NULL,
    "goodsCents" INTEGER NOT NULL,
    "shippingCents" INTEGER NOT NULL,
    "totalCents" INTEGER NOT NULL,
    "creditUsedCents" INTEGER NOT NULL,
    "dueCents" INTEGER NOT NULL,
    "paymentMethod" TEXT NOT NULL,
    "invoiceNumber" INTEGER NOT NULL,
    "creditNoteNumber" INTEGER,
    "creditNoteAt" TIMESTAMP(3),
    "recipientName" TEXT,
    "addressLine1" TEXT,
    "addressLine2" TEXT,
    "postcode" TEXT,
    "city" TEXT,
    "country" TEXT,
    "phone" TEXT,
    "email" TEXT,
    "notes" TEXT,
    "carrier" TEXT,
    "trackingNumber" TEXT,
    "cancelReason" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL,
    "paidAt" TIMESTAMP(3),
    "preparingAt" TIMESTAMP(3),
    "shippedAt" TIMESTAMP(3),
    "deliveredAt" TIMESTAMP(3),
    "cancelledAt" TIMESTAMP(3),
    "refundedAt" TIMESTAMP(3),
    "reminderSentAt" TIMESTAMP(3),
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Order_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "OrderLine" (
    "id" BIGSERIAL NOT NULL,
    "orderId" UUID NOT NULL,
    "productId" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "unitPriceCents" INTEGER NOT NULL,
    "vatRateBp" INTEGER NOT NULL,
    "quantity" INTEGER NOT NULL,
    "weightGrams" INTEGER NOT NULL,

    CONSTRAINT "OrderLine_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "OrderDisclosure" (
    "id" BIGSERIAL NOT NULL,
    "orderId" UUID NOT NULL,
    "recipient" TEXT NOT NULL,
    "data" TEXT NOT NULL,
    "purpose" TEXT NOT NULL,
    "staffId" UUID,
    "at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "OrderDisclosure_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "Order_reference_key" ON "Order"("reference");

-- CreateIndex
CREATE UNIQUE INDEX "Order_idempotencyKey_key" ON "Order"("idempotencyKey");

-- CreateIndex
CREATE UNIQUE INDEX "Order_invoiceNumber_key" ON "Order"("invoiceNumber");

-- CreateIndex
CREATE UNIQUE INDEX "Order_creditNoteNumber_key" ON "Order"("creditNoteNumber");

-- CreateIndex
CREATE INDEX "Order_memberId_createdAt_idx" ON "Order"("memberId", "createdAt");

-- CreateIndex
CREATE INDEX "Order_status_createdAt_idx" ON "Order"("status", "createdAt");

-- CreateIndex
CREATE INDEX "OrderLine_orderId_idx" ON "OrderLine"("orderId");

-- CreateIndex
CREATE INDEX "OrderDisclosure_orderId_idx" ON "OrderDisclosure"("orderId");

-- AddForeignKey
ALTER TABLE "OrderLine" ADD CONSTRAINT "OrderLine_orderId_fkey" FOREIGN KEY ("orderId") REFERENCES "Order"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "OrderDisclosure" ADD CONSTRAINT "OrderDisclosure_orderId_fkey" FOREIGN KEY ("orderId") REFERENCES "Order"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- Amounts are never negative and add up; a line sells at least one unit.
ALTER TABLE "Order" ADD CONSTRAINT "Order_amounts_check" CHECK (
  "goodsCents" >= 0 AND "shippingCents" >= 0 AND "creditUsedCents" >= 0 AND "dueCents" >= 0
  AND "totalCents" = "goodsCents" + "shippingCents" AND "dueCents" = "totalCents" - "creditUsedCents");
ALTER TABLE "OrderLine" ADD CONSTRAINT "OrderLine_quantity_check" CHECK ("quantity" > 0 AND "unitPriceCents" >= 0);

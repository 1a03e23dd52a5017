-- CreateIndex
CREATE INDEX "Order_status_invoiceNumber_idx" ON "Order"("status", "invoiceNumber");

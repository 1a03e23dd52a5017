-- Search: "searchText" is the product's name, category and description in lower case without
-- accents, written by the application (src/shop/search.ts: NFD in JavaScript, because PGlite has no
-- unaccent extension); the French vector is generated from it by the database (an immutable
-- expression), so it can never disagree with the text.
-- AlterTable
ALTER TABLE "Product" ADD COLUMN     "searchText" TEXT NOT NULL DEFAULT '',
ADD COLUMN     "searchVector" tsvector GENERATED ALWAYS AS (to_tsvector('french'::regconfig, "searchText")) STORED;

-- CreateIndex
CREATE INDEX "Product_published_priceCents_idx" ON "Product"("published", "priceCents");

-- CreateIndex
CREATE INDEX "Product_published_createdAt_idx" ON "Product"("published", "createdAt");

-- CreateIndex
CREATE INDEX "Product_searchVector_idx" ON "Product" USING GIN ("searchVector");

-- The lists by name order products by "sortName": the name in lower case without accents, written
-- by the application (src/shop/search.ts, the same folding as "searchText"), so that « Écharpe »
-- sorts with the e's on both databases whatever their collation (PGlite's is C: byte order put it
-- after « Veilleuse »).
-- AlterTable
ALTER TABLE "Product" ADD COLUMN     "sortName" TEXT NOT NULL DEFAULT '';

-- The products already there: the same folding in SQL for the letters of French (PGlite has no
-- unaccent extension); the application writes the key again whenever a product is saved.
UPDATE "Product" SET "sortName" = left(btrim(regexp_replace(lower(
  replace(replace(replace(replace(replace(translate("name",
    'ÀÁÂÃÄÅàáâãäåÇçÈÉÊËèéêëÌÍÎÏìíîïÑñÒÓÔÕÖòóôõöÙÚÛÜùúûüÝŸýÿ',
    'AAAAAAaaaaaaCcEEEEeeeeIIIIiiiiNnOOOOOoooooUUUUuuuuYYyy'),
    'Œ', 'oe'), 'œ', 'oe'), 'Æ', 'ae'), 'æ', 'ae'), 'ß', 'ss')),
  '[^a-z0-9]+', ' ', 'g')), 200);

-- DropIndex
DROP INDEX "Product_published_name_idx";

-- CreateIndex
CREATE INDEX "Product_published_sortName_idx" ON "Product"("published", "sortName");

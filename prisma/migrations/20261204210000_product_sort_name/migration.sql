-- The lists by name order products by "sortName": the name in lower case without accents, written
-- by the application (src/shop/search.ts, the same folding as "searchText"), so that « Écharpe »
-- sorts with the e's (PGlite's default collation is C, byte order: it came after « Veilleuse »).
-- The column compares bytes on every database (COLLATE "C"): a server created with a French or
-- English locale would otherwise skip the spaces and order « Lapin » before « La vache ».
-- AlterTable
ALTER TABLE "Product" ADD COLUMN     "sortName" TEXT COLLATE "C" NOT NULL DEFAULT '';

-- The products already there: the same folding in SQL (PGlite has no unaccent extension):
-- decomposed, combining marks removed, ligatures spelt out, lower case, anything but letters and
-- digits turned to a space. The application writes the key again whenever a product is saved.
-- ICU's root collation gives lower() and [:alnum:] their Unicode meaning (in C, ASCII only).
UPDATE "Product" SET "sortName" = left(btrim(regexp_replace(lower(
  replace(replace(replace(replace(replace(
    regexp_replace(normalize("name", NFD), '[' || chr(768) || '-' || chr(879) || ']+', '', 'g'),
    'Œ', 'oe'), 'œ', 'oe'), 'Æ', 'ae'), 'æ', 'ae'), 'ß', 'ss') COLLATE "und-x-icu"),
  '[^[:alnum:]]+', ' ', 'g')), 200);

-- Every write names the key (no default: a forgotten one fails type-checking).
ALTER TABLE "Product" ALTER COLUMN "sortName" DROP DEFAULT;

-- DropIndex
DROP INDEX "Product_published_name_idx";

-- CreateIndex
CREATE INDEX "Product_published_sortName_idx" ON "Product"("published", "sortName");

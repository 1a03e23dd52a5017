// Search by words: PostgreSQL's French full-text search over a text without accents. PGlite has no
// unaccent extension, so the text is folded here (NFD, marks removed, lower case) on both sides:
// the stored "searchText" and the visitor's words. The database generates the French vector from
// "searchText" (see the shop_search migration). Decision 0050.

/** Lower case, accents and ligatures removed, anything but letters and digits turned to spaces. */
export function foldText(s: string): string {
  return s
    .normalize('NFD')
    .replace(/\p{M}+/gu, '')
    .replace(/œ/gi, 'oe')
    .replace(/æ/gi, 'ae')
    .replace(/ß/g, 'ss')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

/** What a product is found by: its name, its category's name and its description. */
export function searchTextOf(p: { name: string; description: string }, categoryName: string): string {
  return foldText(`${p.name} ${categoryName} ${p.description}`).slice(0, 20_000);
}

/**
 * The key products are listed by name with: the name folded as above, so that « Écharpe » sorts
 * with the e's and « Œuf » with the o's. The column compares bytes (COLLATE "C"): the same order on
 * every database, whatever its locale. Equal keys are then ordered by the name itself.
 */
export function sortNameOf(name: string): string {
  return foldText(name).slice(0, 200);
}

/** The columns a product's name and category are written into besides themselves. */
export function derivedTexts(p: { name: string; description: string }, categoryName: string) {
  return { searchText: searchTextOf(p, categoryName), sortName: sortNameOf(p.name) };
}

// PGlite's French configuration keeps these words while PostgreSQL's drops them: they are taken out
// of the visitor's words here, so that a search gives the same products on both.
const STOPWORDS = new Set(
  'a au aux avec ce ces dans de des du d elle en et il ils je la le les l leur lui ma mais me mes mon ne nos notre nous on ou par pas pour qu que qui sa se ses son sur ta te tes ton tu un une vos votre vous y'.split(
    ' ',
  ),
);

/** The visitor's words, folded and capped (at most 8 words of 40 characters): null when nothing is left. */
export function searchWords(q: string): string | null {
  const words = foldText(q)
    .split(' ')
    .filter((w) => w.length > 0 && !STOPWORDS.has(w))
    .slice(0, 8)
    .map((w) => w.slice(0, 40));
  return words.length ? words.join(' ') : null;
}

// Keyset paging of a list shown newest first on (instant, id): a page reads at most perPage + 1 rows
// through an index on (…, instant, id), however far back it is and however large the table.
// The links carry the cursor of the row where the page starts (?avant=: the rows older than it) or
// ends (?apres=: the rows newer than it, the previous page), written `<epoch ms>_<id>`.

export interface Cursor<I> {
  at: Date;
  id: I;
}

export type Direction = 'older' | 'newer';

/** The cursor of a row, for a link. */
export const cursorOf = (at: Date, id: bigint | string): string => `${at.getTime()}_${id}`;

/** 10000-01-01T00:00:00Z: a later instant has no ISO text a database takes (+033658-…). */
const LAST_INSTANT = 253_402_300_800_000;

/**
 * A cursor as a link gave it; null when malformed or in or after the year 10000 (the page says so:
 * never a 500). `id` checks and converts the id part (null when it is not one).
 */
export function parseCursor<I>(raw: unknown, id: (s: string) => I | null): Cursor<I> | null {
  if (typeof raw !== 'string') return null;
  const m = /^(\d{1,15})_([0-9a-f-]{1,36})$/.exec(raw);
  if (!m) return null;
  const at = new Date(Number(m[1]));
  const parsed = id(m[2]);
  return Number.isNaN(at.getTime()) || at.getTime() >= LAST_INSTANT || parsed === null ? null : { at, id: parsed };
}

/** A bigint id (an autoincrement column). */
export const bigintId = (s: string): bigint | null => (/^\d{1,18}$/.test(s) ? BigInt(s) : null);
/** A uuid id. */
export const uuidId = (s: string): string | null => (/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(s) ? s : null);

/**
 * The Prisma condition "strictly older (or newer) than the cursor" on (field, id). The bound on the
 * instant alone is what the index scan starts from; the OR only drops the rows of the same instant
 * on the wrong side of the id.
 */
export function keysetWhere<I>(field: string, c: Cursor<I>, dir: Direction) {
  const strict = dir === 'older' ? 'lt' : 'gt';
  const loose = dir === 'older' ? 'lte' : 'gte';
  return { AND: [{ [field]: { [loose]: c.at } }, { OR: [{ [field]: { [strict]: c.at } }, { [field]: c.at, id: { [strict]: c.id } }] }] };
}

/** The order of a fetch: newest first for the older pages, oldest first when going back. */
export const keysetOrder = (field: string, dir: Direction) => {
  const d = dir === 'older' ? 'desc' : 'asc';
  return [{ [field]: d }, { id: d }];
};

export interface KeysetPage<T> {
  rows: T[];
  /** The cursor of the next (older) page, or null on the last one. */
  older: string | null;
  /** The cursor of the previous (newer) page, or null on the first one. */
  newer: string | null;
}

/**
 * A page from the perPage + 1 rows fetched in `dir`'s order after `cursor` (none: the newest).
 * Going back (newer) with perPage rows or fewer left means the first page: null, fetch it instead.
 */
export function keysetPage<T>(fetched: T[], perPage: number, dir: Direction, cursor: string | undefined, key: (row: T) => string): KeysetPage<T> | null {
  const more = fetched.length > perPage;
  const rows = fetched.slice(0, perPage);
  if (dir === 'newer') {
    if (!more) return null;
    rows.reverse();
    return { rows, newer: key(rows[0]), older: key(rows[rows.length - 1]) };
  }
  // Past the end (a stale link): the previous page is the one before the cursor itself.
  const newer = typeof cursor === 'string' ? (rows.length ? key(rows[0]) : cursor) : null;
  return { rows, older: more ? key(rows[rows.length - 1]) : null, newer };
}

/** A page's link: the list's path, its filters (empty ones left out) and the cursor. */
export function pageHref(path: string, filters: Record<string, string | undefined>, cursor: { avant?: string; apres?: string }): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries({ ...filters, ...cursor })) if (v) q.set(k, v);
  const s = q.toString();
  return s ? `${path}?${s}` : path;
}

// Walking a list paged by keyset (views/partials/keyset-nav.ejs) by its links, as a person would:
// "Page suivante" to the end, then "Page précédente" back to the start.
import { expect } from 'vitest';
import type request from 'supertest';

type Agent = ReturnType<typeof request.agent>;

const unescape = (s: string) => s.replace(/&amp;/g, '&').replace(/&#34;/g, '"').replace(/&#39;/g, "'");

/** The page's link to the next (older) or previous (newer) page, or null when there is none. */
export function pageLink(html: string, rel: 'next' | 'prev'): string | null {
  const m = new RegExp(`<a href="([^"]+)" rel="${rel}">`).exec(html);
  return m ? unescape(m[1]) : null;
}

/** From `start` by the "next" links to the last page: each page's rows (`rowsOf`) and address. */
export async function walkForward<T>(agent: Agent, start: string, rowsOf: (html: string) => T[], maxPages = 50) {
  const pages: T[][] = [];
  const hrefs: string[] = [];
  let href: string | null = start;
  while (href) {
    const res = await agent.get(href);
    expect(res.status, href).toBe(200);
    hrefs.push(href);
    pages.push(rowsOf(res.text));
    href = pageLink(res.text, 'next');
    expect(pages.length).toBeLessThan(maxPages);
  }
  return { pages, hrefs };
}

/** From the page at `last` by the "prev" links to the first: the pages in list order, `last`'s included. */
export async function walkBack<T>(agent: Agent, last: string, rowsOf: (html: string) => T[], maxPages = 50) {
  const first = await agent.get(last);
  const back: T[][] = [rowsOf(first.text)];
  let href = pageLink(first.text, 'prev');
  while (href) {
    const res = await agent.get(href);
    expect(res.status, href).toBe(200);
    back.unshift(rowsOf(res.text));
    expect(back.length).toBeLessThan(maxPages);
    href = pageLink(res.text, 'prev');
  }
  return back;
}

// Reads a page's error summaries (views/partials/form-errors.ejs) as the tests check them: each
// link, and whether the element its fragment names is an input of the page marked invalid.

export interface SummaryLink {
  href: string;
  text: string;
}

/** The error summaries of the page, each as its HTML. */
export function errorSummaries(html: string): string[] {
  return [...html.matchAll(/<div class="flash flash-error error-summary"[\s\S]*?<\/div>/g)].map((m) => m[0]);
}

/** The links of one summary. */
export function summaryLinks(summary: string): SummaryLink[] {
  return [...summary.matchAll(/<a href="([^"]*)">([\s\S]*?)<\/a>/g)].map((m) => ({ href: m[1], text: m[2] }));
}

/** The start tags of the page that carry this id (a well-formed page has one). */
export function elementsWithId(html: string, id: string): string[] {
  const escaped = id.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return [...html.matchAll(new RegExp(`<[a-z]+\\b[^>]*\\bid="${escaped}"[^>]*>`, 'g'))].map((m) => m[0]);
}

/**
 * What is wrong with the summary's links: a link that is not a fragment, a fragment naming no
 * element or several, an element that is not an input, select or textarea, or one not marked
 * aria-invalid="true". Empty when every link lands on its invalid field.
 */
export function brokenSummaryLinks(html: string, summary: string): string[] {
  const problems: string[] = [];
  for (const { href, text } of summaryLinks(summary)) {
    if (!href.startsWith('#')) {
      problems.push(`${href} (${text}): not a fragment`);
      continue;
    }
    const found = elementsWithId(html, href.slice(1));
    if (found.length !== 1) problems.push(`${href} (${text}): ${found.length} elements with that id`);
    else if (!/^<(input|select|textarea)\b/.test(found[0])) problems.push(`${href} (${text}): not a field: ${found[0]}`);
    else if (!found[0].includes('aria-invalid="true"')) problems.push(`${href} (${text}): not marked invalid: ${found[0]}`);
  }
  return problems;
}

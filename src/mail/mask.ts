// The copy of an e-mail that the site keeps and shows (development mailbox, data export) must not
// be usable in place of the e-mail: the tokens of its links are masked (docs/decisions/0012).

export const MASK = '[masqué]';

/**
 * Links keep their address and the names of their parameters, not the values; any other long
 * random-looking word (a token outside a link) is masked too.
 */
export function maskSecrets(text: string): string {
  return text
    .replace(/https?:\/\/\S+/g, (url) => url.replace(/([?&][^=&#\s]*=)[^&#\s]*/g, `$1${MASK}`).replace(/#\S*$/, ''))
    .replace(/[A-Za-z0-9_-]{32,}/g, MASK);
}

// The site's unsubscribe link: /newsletter/desinscription/<member id>.<HMAC>, signed with the site's
// code secret; no login needed, and it holds no personal data but the member's id. Letters are now
// sent with Mailchimp's own unsubscribe link (*|UNSUB|*), which reaches the site through the webhook:
// the site no longer sends this one to Mailchimp (decision 0076) and keeps it working for the
// letters already sent with it.
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Deps } from '../deps.ts';

const mac = (deps: Pick<Deps, 'config'>, memberId: string) =>
  createHmac('sha256', deps.config.codeHmacSecret).update(`newsletter-unsubscribe:${memberId}`).digest('base64url').slice(0, 32);

export function unsubscribeToken(deps: Pick<Deps, 'config'>, memberId: string): string {
  return `${memberId}.${mac(deps, memberId)}`;
}

/** The member id the token was made for, or null. */
export function readUnsubscribeToken(deps: Pick<Deps, 'config'>, token: string): string | null {
  const m = /^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\.([A-Za-z0-9_-]{32})$/.exec(token);
  if (!m) return null;
  const a = Buffer.from(m[2]);
  const b = Buffer.from(mac(deps, m[1]));
  return a.length === b.length && timingSafeEqual(a, b) ? m[1] : null;
}

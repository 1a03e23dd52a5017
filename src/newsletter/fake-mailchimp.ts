// A local fake of the Mailchimp Marketing API 3.0: the endpoints the site uses (ping, list members
// get/put/patch, archive, delete-permanent), API-key Basic auth, Mailchimp's JSON problem documents
// (401, 404, 400 "Forgotten Email Not Subscribed", 429 with Retry-After), switches to fail or slow
// down, an inspect API for tests, and webhooks fired at the site form-encoded like Mailchimp's.
// Used in development when no MAILCHIMP_API_KEY is set, and by the tests. `npm run fake:mailchimp`
// runs it alone.
import { createHash } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { systemClock } from '../core/clock.ts';
import type { Clock } from '../core/clock.ts';

export type FakeStatus = 'subscribed' | 'unsubscribed' | 'cleaned' | 'pending' | 'archived';

export interface FakeContact {
  id: string;
  email_address: string;
  status: FakeStatus;
  merge_fields: Record<string, string>;
  last_changed: string;
}

export interface FakeCall {
  method: string;
  path: string;
  status: number;
  body?: unknown;
}

export interface FakeMailchimpOptions {
  apiKey: string;
  listId: string;
  port?: number;
  host?: string;
  clock?: Clock;
}

export const md5 = (email: string): string => createHash('md5').update(email.trim().toLowerCase()).digest('hex');

const problem = (status: number, title: string, detail: string) => ({
  type: 'https://mailchimp.com/developer/marketing/docs/errors/',
  title,
  status,
  detail,
  instance: createHash('md5').update(`${title}${detail}`).digest('hex').replace(/^(.{8})(.{4})(.{4})(.{4})(.{12}).*/, '$1-$2-$3-$4-$5'),
});

export class FakeMailchimp {
  /** The list's contacts by subscriber hash. */
  readonly members = new Map<string, FakeContact>();
  /** Hashes of permanently deleted addresses: Mailchimp refuses to re-add them through the API. */
  readonly forgotten = new Set<string>();
  readonly calls: FakeCall[] = [];
  /** Every hash a contact was known by (an address change moves it): a permanent delete forgets them all. */
  private readonly aliases = new Map<string, Set<string>>();
  /** Fail every API call with this status (503, 500) until cleared. */
  failWith: number | null = null;
  /** Answer 429 with this Retry-After (seconds) for the next n calls. */
  rateLimit: { remaining: number; retryAfter: number } | null = null;
  /** Wait this many ms before answering. */
  delayMs = 0;
  private server?: http.Server;
  private get clock(): Clock {
    return this.opts.clock ?? systemClock;
  }

  constructor(readonly opts: FakeMailchimpOptions) {}

  get url(): string {
    const a = this.server?.address() as AddressInfo | null;
    if (!a) throw new Error('fake Mailchimp not started');
    // 127.0.0.1, never "localhost" spelled with "server": the client replaces the word "server".
    return `http://127.0.0.1:${a.port}/3.0`;
  }

  async start(): Promise<this> {
    this.server = http.createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(this.opts.port ?? 0, this.opts.host ?? '127.0.0.1', resolve));
    return this;
  }

  async stop(): Promise<void> {
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
    this.server = undefined;
  }

  reset(): void {
    this.members.clear();
    this.forgotten.clear();
    this.aliases.clear();
    this.calls.length = 0;
    this.failWith = null;
    this.rateLimit = null;
    this.delayMs = 0;
  }

  /** Everything the fake holds, serialised: the erasure test scans it for the member's markers. */
  dump(): string {
    return JSON.stringify({ members: [...this.members.values()], forgotten: [...this.forgotten], calls: this.calls });
  }

  /** Fires a webhook at the site like Mailchimp does (application/x-www-form-urlencoded). */
  async fireWebhook(url: string, type: 'subscribe' | 'unsubscribe' | 'cleaned' | 'profile' | 'upemail', data: Record<string, string>): Promise<number> {
    const form = new URLSearchParams({ type, fired_at: this.clock.now().toISOString().replace('T', ' ').slice(0, 19) });
    for (const [k, v] of Object.entries({ list_id: this.opts.listId, ...data })) form.set(`data[${k}]`, v);
    const r = await fetch(url, { method: 'POST', body: form, headers: { 'user-agent': 'MailChimp.com' } });
    return r.status;
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    const url = new URL(req.url ?? '/', 'http://fake');
    const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      this.calls.push({ method: req.method ?? '', path: url.pathname, status, ...(raw ? { body: safeJson(raw) } : {}) });
      const isProblem = status >= 400;
      res.writeHead(status, { 'content-type': isProblem ? 'application/problem+json; charset=utf-8' : 'application/json; charset=utf-8', ...headers });
      res.end(body === undefined ? '' : JSON.stringify(body));
    };
    if (this.delayMs) await new Promise((r) => setTimeout(r, this.delayMs));

    // The inspect API (tests and development): no auth, under /__fake.
    if (url.pathname.startsWith('/__fake/')) return this.inspect(req.method ?? 'GET', url.pathname, raw, res);

    const auth = req.headers.authorization ?? '';
    const password = auth.startsWith('Basic ') ? Buffer.from(auth.slice(6), 'base64').toString('utf8').split(':').slice(1).join(':') : '';
    if (password !== this.opts.apiKey) {
      return send(401, problem(401, 'API Key Invalid', 'Your API key may be invalid, or you\'ve attempted to access the wrong datacenter.'));
    }
    if (this.failWith) return send(this.failWith, problem(this.failWith, 'Service Unavailable', 'The fake Mailchimp is switched off.'));
    if (this.rateLimit && this.rateLimit.remaining > 0) {
      this.rateLimit.remaining--;
      return send(429, problem(429, 'Too Many Requests', 'You have exceeded the limit of 10 simultaneous connections.'), {
        'retry-after': String(this.rateLimit.retryAfter),
      });
    }

    const p = url.pathname.replace(/^\/3\.0/, '');
    if (req.method === 'GET' && p === '/ping') return send(200, { health_status: 'Everything\'s Chimpy!' });
    const m = /^\/lists\/([^/]+)\/members\/([0-9a-f]{32})(\/actions\/delete-permanent)?$/.exec(p);
    if (!m) return send(404, problem(404, 'Resource Not Found', 'The requested resource could not be found.'));
    const [, listId, hash, deletePermanent] = m;
    if (listId !== this.opts.listId) return send(404, problem(404, 'Resource Not Found', 'The requested resource could not be found.'));
    const existing = this.members.get(hash);
    const notFound = () => send(404, problem(404, 'Resource Not Found', 'The requested resource could not be found.'));

    if (deletePermanent) {
      if (req.method !== 'POST') return notFound();
      if (!existing) return notFound();
      this.members.delete(hash);
      this.forgotten.add(hash);
      // Nothing about the contact stays, not even in the log of calls kept for the tests.
      const gone = this.aliases.get(hash) ?? new Set([hash]);
      this.aliases.delete(hash);
      for (let i = this.calls.length - 1; i >= 0; i--) {
        const c = this.calls[i];
        const email = (c.body as { email_address?: string } | null)?.email_address;
        if ([...gone].some((h) => c.path.includes(h)) || (email && gone.has(md5(email)))) this.calls.splice(i, 1);
      }
      return send(204, undefined);
    }
    switch (req.method) {
      case 'GET':
        return existing ? send(200, this.view(listId, existing)) : notFound();
      case 'DELETE':
        if (!existing) return notFound();
        existing.status = 'archived';
        return send(204, undefined);
      case 'PUT':
      case 'PATCH': {
        const body = safeJson(raw) as { email_address?: string; status?: FakeStatus; status_if_new?: FakeStatus; merge_fields?: Record<string, string> } | null;
        if (!body || typeof body !== 'object') return send(400, problem(400, 'Invalid Resource', 'The resource submitted could not be validated.'));
        if (req.method === 'PATCH' && !existing) return notFound();
        const email = body.email_address ?? existing?.email_address;
        if (!email || !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email)) {
          return send(400, problem(400, 'Invalid Resource', 'Please provide a valid email address.'));
        }
        const newHash = md5(email);
        if (req.method === 'PUT' && newHash !== hash) {
          return send(400, problem(400, 'Invalid Resource', 'The subscriber hash does not match the email address.'));
        }
        if (this.forgotten.has(newHash) && (!existing || newHash !== hash)) {
          return send(400, problem(400, 'Forgotten Email Not Subscribed', `${email} was permanently deleted and cannot be re-imported. The contact must re-subscribe to get back on the list.`));
        }
        if (newHash !== hash && this.members.has(newHash)) {
          return send(400, problem(400, 'Member Exists', `${email} is already a list member.`));
        }
        const status = (existing && existing.status !== 'archived' ? body.status : (body.status_if_new ?? body.status)) ?? existing?.status;
        if (!status) return send(400, problem(400, 'Invalid Resource', 'The resource submitted could not be validated. status: required'));
        const contact: FakeContact = {
          id: newHash,
          email_address: email,
          status,
          merge_fields: { ...(existing?.merge_fields ?? {}), ...(body.merge_fields ?? {}) },
          last_changed: this.clock.now().toISOString(),
        };
        this.members.delete(hash);
        this.members.set(newHash, contact);
        const known = this.aliases.get(hash) ?? new Set([hash]);
        known.add(newHash);
        this.aliases.delete(hash);
        this.aliases.set(newHash, known);
        return send(200, this.view(listId, contact));
      }
      default:
        return send(405, problem(405, 'Method Not Allowed', 'The requested method and resource are not compatible.'));
    }
  }

  private view(listId: string, c: FakeContact) {
    return { ...c, unique_email_id: c.id.slice(0, 10), list_id: listId };
  }

  private inspect(method: string, path: string, raw: string, res: http.ServerResponse) {
    const json = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
      res.end(JSON.stringify(body));
    };
    if (method === 'GET' && path === '/__fake/members') return json(200, [...this.members.values()]);
    if (method === 'GET' && path === '/__fake/calls') return json(200, this.calls);
    if (method === 'POST' && path === '/__fake/reset') return (this.reset(), json(200, {}));
    if (method === 'POST' && path === '/__fake/switch') {
      const b = (safeJson(raw) ?? {}) as { failWith?: number | null; delayMs?: number; rateLimit?: { remaining: number; retryAfter: number } | null };
      if ('failWith' in b) this.failWith = b.failWith ?? null;
      if ('delayMs' in b) this.delayMs = b.delayMs ?? 0;
      if ('rateLimit' in b) this.rateLimit = b.rateLimit ?? null;
      return json(200, { failWith: this.failWith, delayMs: this.delayMs, rateLimit: this.rateLimit });
    }
    if (method === 'POST' && path === '/__fake/webhook') {
      const b = (safeJson(raw) ?? {}) as { url?: string; type?: 'unsubscribe'; data?: Record<string, string> };
      if (!b.url || !b.type) return json(400, { error: 'url and type required' });
      return void this.fireWebhook(b.url, b.type, b.data ?? {}).then(
        (status) => json(200, { status }),
        (err: unknown) => json(502, { error: String(err) }),
      );
    }
    json(404, { error: 'unknown inspect route' });
  }
}

function safeJson(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    return null;
  }
}

/** Standalone: `npm run fake:mailchimp` (FAKE_MAILCHIMP_PORT, MAILCHIMP_API_KEY, MAILCHIMP_LIST_ID). */
if (import.meta.url === `file://${process.argv[1]}`) {
  const fake = await new FakeMailchimp({
    apiKey: process.env.MAILCHIMP_API_KEY ?? 'fake-key-us1',
    listId: process.env.MAILCHIMP_LIST_ID ?? 'fakelist',
    port: Number(process.env.FAKE_MAILCHIMP_PORT ?? 4010),
  }).start();
  process.stdout.write(
    `Faux Mailchimp sur ${fake.url} (clé ${fake.opts.apiKey}, liste ${fake.opts.listId}) ; contacts : ${fake.url.replace('/3.0', '')}/__fake/members\n`,
  );
  process.on('SIGTERM', () => void fake.stop().then(() => process.exit(0)));
  process.on('SIGINT', () => void fake.stop().then(() => process.exit(0)));
}

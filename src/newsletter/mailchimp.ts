// A small typed wrapper around the official @mailchimp/mailchimp_marketing client (it ships no
// types). Each site gets its own ApiClient instance (the package's default export is a shared
// singleton), pointed at Mailchimp or at the local fake through `basePath`.
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

export type RemoteStatus = 'subscribed' | 'unsubscribed' | 'cleaned' | 'pending' | 'transactional' | 'archived';

export interface ListMemberBody {
  email_address?: string;
  status?: RemoteStatus;
  status_if_new?: RemoteStatus;
  merge_fields?: Record<string, string>;
}

export interface ListMember {
  id: string;
  email_address: string;
  status: RemoteStatus;
  merge_fields: Record<string, string>;
}

interface RawClient {
  basePath: string;
  timeout: number;
  setConfig(c: { apiKey: string; server: string }): void;
  ping: { get(): Promise<{ health_status: string }> };
  lists: {
    getListMember(list: string, hash: string): Promise<ListMember>;
    setListMember(list: string, hash: string, body: ListMemberBody): Promise<ListMember>;
    updateListMember(list: string, hash: string, body: ListMemberBody): Promise<ListMember>;
    deleteListMemberPermanent(list: string, hash: string): Promise<unknown>;
    deleteListMember(list: string, hash: string): Promise<unknown>;
  };
}

export interface MailchimpSettings {
  apiKey: string;
  serverPrefix: string;
  listId: string;
  /** Overrides https://<prefix>.api.mailchimp.com/3.0 (the local fake); its host must not contain "server". */
  basePath?: string;
  timeoutMs?: number;
}

/** What went wrong at Mailchimp, classified for the jobs worker. */
export class MailchimpError extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    detail: string,
    /** Seconds from Retry-After (429). */
    readonly retryAfter?: number,
  ) {
    super(`Mailchimp ${status || 'injoignable'} ${title}${detail ? ` : ${detail}` : ''}`);
    this.name = 'MailchimpError';
  }
  /** A 4xx other than 404 (handled by callers), 408 and 429: retrying the same request cannot succeed. */
  get permanent(): boolean {
    return this.status >= 400 && this.status < 500 && ![404, 408, 429].includes(this.status);
  }
}

export const subscriberHash = (email: string): string => createHash('md5').update(email.trim().toLowerCase()).digest('hex');

function wrapError(err: unknown): MailchimpError {
  const e = err as { status?: number; message?: string; response?: { body?: { title?: string; detail?: string }; headers?: Record<string, string> } };
  const status = typeof e.status === 'number' ? e.status : 0;
  const body = e.response?.body ?? {};
  const ra = Number(e.response?.headers?.['retry-after']);
  return new MailchimpError(status, body.title ?? (status ? 'Error' : 'Network error'), body.detail ?? (status ? '' : String(e.message ?? err)), Number.isFinite(ra) ? ra : undefined);
}

async function call<T>(p: () => Promise<T>): Promise<T> {
  try {
    return await p();
  } catch (err) {
    throw wrapError(err);
  }
}

export interface MailchimpApi {
  listId: string;
  ping(): Promise<string>;
  getMember(hash: string): Promise<ListMember | null>;
  /** PUT: creates or updates the contact at this hash. */
  setMember(hash: string, body: ListMemberBody): Promise<ListMember>;
  /** PATCH: updates an existing contact; null if there is none. */
  updateMember(hash: string, body: ListMemberBody): Promise<ListMember | null>;
  /** POST …/actions/delete-permanent: false if there was no such contact. */
  deletePermanent(hash: string): Promise<boolean>;
  archive(hash: string): Promise<boolean>;
}

const notFoundAs = async <T, D>(p: Promise<T>, d: D): Promise<T | D> => {
  try {
    return await p;
  } catch (err) {
    if (err instanceof MailchimpError && err.status === 404) return d;
    throw err;
  }
};

export function createMailchimp(s: MailchimpSettings): MailchimpApi {
  const ApiClient = require('@mailchimp/mailchimp_marketing/src/ApiClient.js') as new () => RawClient;
  const client = new ApiClient();
  client.setConfig({ apiKey: s.apiKey, server: s.serverPrefix });
  if (s.basePath) {
    if (new URL(s.basePath).host.includes('server')) throw new Error('MAILCHIMP_BASE_PATH: its host must not contain "server"');
    client.basePath = s.basePath.replace(/\/+$/, '');
  }
  client.timeout = s.timeoutMs ?? 15_000;
  const l = client.lists;
  return {
    listId: s.listId,
    ping: async () => (await call(() => client.ping.get())).health_status,
    getMember: (hash) => notFoundAs(call(() => l.getListMember(s.listId, hash)), null),
    setMember: (hash, body) => call(() => l.setListMember(s.listId, hash, body)),
    updateMember: (hash, body) => notFoundAs(call(() => l.updateListMember(s.listId, hash, body)), null),
    deletePermanent: (hash) => notFoundAs(call(() => l.deleteListMemberPermanent(s.listId, hash)).then(() => true), false),
    archive: (hash) => notFoundAs(call(() => l.deleteListMember(s.listId, hash)).then(() => true), false),
  };
}

const cache = new WeakMap<object, MailchimpApi>();

/** The client for this configuration (one per configuration object), or null when Mailchimp is not configured. */
export function mailchimpOf(config: { mailchimp?: MailchimpSettings | null }): MailchimpApi | null {
  if (!config.mailchimp) return null;
  let api = cache.get(config.mailchimp);
  if (!api) cache.set(config.mailchimp, (api = createMailchimp(config.mailchimp)));
  return api;
}

// Development without a Mailchimp key: the local fake runs in the site's process, on a local port,
// and the site's client is pointed at it. Its contacts: GET <fake>/__fake/members.
import { randomBytes } from 'node:crypto';
import type { Config } from '../config.ts';
import { FakeMailchimp } from './fake-mailchimp.ts';

export async function startDevMailchimp(config: Config): Promise<FakeMailchimp> {
  const fake = await new FakeMailchimp({ apiKey: 'dev-fake-key-us1', listId: 'dev-list', port: Number(process.env.FAKE_MAILCHIMP_PORT ?? 0) }).start();
  config.mailchimp = { apiKey: fake.opts.apiKey, serverPrefix: 'us1', listId: fake.opts.listId, basePath: fake.url };
  config.mailchimpWebhookSecret ??= randomBytes(16).toString('hex');
  return fake;
}

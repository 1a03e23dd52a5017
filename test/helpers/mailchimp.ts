// A test app wired to its own local fake Mailchimp.
import { FakeMailchimp } from '../../src/newsletter/fake-mailchimp.ts';
import { createTestApp } from './app.ts';
import type { TestApp } from './app.ts';

export const WEBHOOK_SECRET = 'webhook-secret-0123456789abcdef';

export interface MailchimpTestApp extends TestApp {
  fake: FakeMailchimp;
}

export async function createMailchimpTestApp(): Promise<MailchimpTestApp> {
  const fake = await new FakeMailchimp({ apiKey: 'test-key-us9', listId: 'list1234' }).start();
  const t = await createTestApp({
    config: {
      MAILCHIMP_API_KEY: fake.opts.apiKey,
      MAILCHIMP_LIST_ID: fake.opts.listId,
      MAILCHIMP_BASE_PATH: fake.url,
      MAILCHIMP_WEBHOOK_SECRET: WEBHOOK_SECRET,
    },
  });
  const close = t.close;
  return Object.assign(t, {
    fake,
    close: async () => {
      await fake.stop();
      await close();
    },
  });
}

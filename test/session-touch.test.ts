// The session's server-side expiry follows the member's activity (30 minutes idle), written at
// most once a minute (src/http/session-store.ts): a member clicking through pages costs no write
// per page, and the idle timeout still holds.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, loginAgent } from './helpers/app.ts';
import type { TestApp } from './helpers/app.ts';
import { createMember } from '../src/dev/factories.ts';
import { TOUCH_GRANULARITY_MS } from '../src/http/session-store.ts';

describe('rolling session expiry', () => {
  let t: TestApp;
  let member: Awaited<ReturnType<typeof createMember>>;
  beforeAll(async () => {
    t = await createTestApp();
    member = await createMember(t.deps, {});
  });
  afterAll(() => t.close());

  const expiry = async () => (await t.deps.db.session.findFirstOrThrow({ where: { memberId: member.member.id } })).expiresAt.getTime();

  it('moves the expiry only when it moves by a minute or more, and ends the session after 30 idle minutes', async () => {
    const agent = await loginAgent(t.app, member.email, member.password);
    await agent.get('/compte'); // shows (and so changes) the login's flash message: the session is saved
    const atLogin = await expiry();
    expect(atLogin).toBe(t.clock.now().getTime() + 30 * 60_000);

    t.clock.advance(TOUCH_GRANULARITY_MS - 1000);
    expect((await agent.get('/compte')).status).toBe(200);
    expect(await expiry()).toBe(atLogin); // no write for this page

    t.clock.advance(2000);
    expect((await agent.get('/compte')).status).toBe(200);
    expect(await expiry()).toBe(t.clock.now().getTime() + 30 * 60_000);

    t.clock.advance(29 * 60_000);
    expect((await agent.get('/compte')).status).toBe(200); // still within 30 minutes of the last write

    t.clock.advance(30 * 60_000 + 1);
    const after = await agent.get('/compte');
    expect(after.status).toBe(303);
    expect(after.headers.location).toMatch(/^\/connexion/);
  });
});

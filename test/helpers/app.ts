// A whole app on a fresh database, with captured logs, the mailbox mailer and a movable clock.
import { mkdtempSync, rmSync } from 'node:fs';
import { Writable } from 'node:stream';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import type { Express } from 'express';
import { loadConfig } from '../../src/config.ts';
import type { Config } from '../../src/config.ts';
import { createLogger } from '../../src/logger.ts';
import { createApp } from '../../src/app.ts';
import { createMailboxMailer, mailDirOf } from '../../src/mail/mailer.ts';
import type { Mailer } from '../../src/mail/mailer.ts';
import { fixedClock } from '../../src/core/clock.ts';
import type { Deps } from '../../src/deps.ts';
import { registryHandlers, registryOrderedKinds, Worker } from '../../src/jobs/worker.ts';
import { buildRegistry } from '../../src/core/registry.ts';
import { MODULES } from '../../src/modules.ts';
import { openTestDatabase } from './db.ts';
import type { TestDatabase } from './db.ts';

export const TEST_ENV = {
  NODE_ENV: 'test',
  SESSION_SECRET: 'test-session-secret-0123456789abcdef',
  CODE_HMAC_SECRET: 'test-code-secret-0123456789abcdefgh',
  DATA_DIR: path.join(os.tmpdir(), 'club-test-data'),
  LOG_LEVEL: 'info',
  PUBLIC_URL: 'http://club.test',
};

/**
 * The tests' clock starts 1000 days before the real date, at 10:00 UTC: no date in a test can be
 * overtaken by the real clock, and any instant that leaks in from the real clock (the database's
 * now(), Date.now()) is years away from the app's and makes a test fail.
 */
export function testClockStart(): Date {
  const d = new Date(Date.now() - 1000 * DAY);
  d.setUTCHours(10, 0, 0, 0);
  return d;
}

const DAY = 24 * 3600_000;

/** An instant n days from the test clock's now (negative: in the past). */
export function daysFromNow(t: { clock: { now(): Date } }, n: number): Date {
  return new Date(t.clock.now().getTime() + n * DAY);
}

export interface TestApp {
  app: Express;
  deps: Deps;
  database: TestDatabase;
  logs: string[];
  clock: ReturnType<typeof fixedClock>;
  worker: Worker;
  close(): Promise<void>;
}

export async function createTestApp(
  opts: { config?: Partial<Record<string, string>>; mailer?: (deps: Deps) => Mailer; database?: TestDatabase } = {},
): Promise<TestApp> {
  const database = opts.database ?? (await openTestDatabase());
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, cb) {
      logs.push(String(chunk));
      cb();
    },
  });
  // Each app has its own data directory: the development mailer delivers there (DATA_DIR/mail).
  const dataDir = opts.config?.DATA_DIR ? undefined : mkdtempSync(path.join(os.tmpdir(), 'club-test-data-'));
  const config: Config = loadConfig({ ...TEST_ENV, ...(dataDir ? { DATA_DIR: dataDir } : {}), ...opts.config });
  const logger = createLogger(config.logLevel, sink);
  const clock = fixedClock(testClockStart());
  const db = database.prisma;
  const deps: Deps = {
    db,
    direct: database.direct,
    config,
    clock,
    logger,
    mailer: createMailboxMailer(db, clock, { dir: mailDirOf(config), from: config.mailFrom }),
    registry: buildRegistry(MODULES),
    ping: async () => {
      await db.$queryRaw`SELECT 1`;
    },
  };
  if (opts.mailer) deps.mailer = opts.mailer(deps);
  const worker = new Worker({ db, clock, logger, handlers: registryHandlers(deps), orderedKinds: registryOrderedKinds(deps), baseBackoffMs: 1000 });
  const app = createApp(deps);
  const close = async () => {
    await database.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  };
  return { app, deps, database, logs, clock, worker, close };
}

export function csrfOf(html: string): string {
  const m = /name="_csrf" value="([^"]+)"/.exec(html);
  if (!m) throw new Error('no CSRF token in page');
  return m[1];
}

/** An agent with a session: GETs a page with a form and returns its CSRF token. */
export async function formToken(agent: ReturnType<typeof request.agent>, path: string): Promise<string> {
  const res = await agent.get(path);
  return csrfOf(res.text);
}

export async function loginAgent(app: Express, email: string, password: string) {
  const agent = request.agent(app);
  const token = await formToken(agent, '/connexion');
  const res = await agent.post('/connexion').type('form').send({ _csrf: token, email, password });
  if (res.status !== 303) throw new Error(`login failed: ${res.status} ${res.text.slice(0, 300)}`);
  return agent;
}

/** POSTs a form as the agent, with a fresh CSRF token taken from `from`. */
export async function postForm(
  agent: ReturnType<typeof request.agent>,
  from: string,
  to: string,
  body: Record<string, string>,
) {
  const token = await formToken(agent, from);
  return agent.post(to).type('form').send({ _csrf: token, ...body });
}

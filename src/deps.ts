import type { Config } from './config.ts';
import type { Db } from './db/connect.ts';
import type { DirectSql } from './db/direct.ts';
import type { Clock } from './core/clock.ts';
import type { Logger } from './logger.ts';
import type { Mailer } from './mail/mailer.ts';
import type { Registry } from './core/registry.ts';

/** What services and routes receive; built once in server.ts (or by a test). */
export interface Deps {
  db: Db;
  /** One statement without Prisma's client, for the statement of every logged-in request only (db/direct.ts). */
  direct: DirectSql;
  config: Config;
  clock: Clock;
  logger: Logger;
  mailer: Mailer;
  /** What the modules declare (src/modules.ts): routes, jobs, classification, erasure, export, audit labels. */
  registry: Registry;
  /** Checks the database answers; /readyz turns 503 when it throws. */
  ping(): Promise<void>;
}

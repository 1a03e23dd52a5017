// Opens everything the app needs from the configuration: database (migrated), mailer, deps.
import type { Config } from './config.ts';
import { openDatabase } from './db/connect.ts';
import type { Database } from './db/connect.ts';
import { applyMigrations } from './db/migrations.ts';
import { systemClock } from './core/clock.ts';
import type { Clock } from './core/clock.ts';
import type { Logger } from './logger.ts';
import { createMailboxMailer, createSmtpMailer, mailDirOf } from './mail/mailer.ts';
import type { Deps } from './deps.ts';
import { buildRegistry } from './core/registry.ts';
import { MODULES } from './modules.ts';

export interface Booted {
  deps: Deps;
  database: Database;
  applied: string[];
}

export async function boot(config: Config, logger: Logger, clock: Clock = systemClock): Promise<Booted> {
  const database = await openDatabase(config, (err) =>
    logger.warn(
      { err: err.message, code: (err as { code?: string }).code },
      'database connection lost; the pool opens another',
    ),
  );
  const applied = await applyMigrations(database.factory);
  if (applied.length) logger.info({ applied }, 'migrations applied');
  const db = database.prisma;
  const mailer = config.smtpUrl
    ? createSmtpMailer(config.smtpUrl, config.mailFrom)
    : createMailboxMailer(db, clock, { dir: mailDirOf(config), from: config.mailFrom });
  const deps: Deps = {
    db,
    direct: database.direct,
    config,
    clock,
    logger,
    mailer,
    registry: buildRegistry(MODULES),
    ping: async () => {
      await db.$queryRaw`SELECT 1`;
    },
  };
  return { deps, database, applied };
}

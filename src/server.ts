// Reads the configuration, opens the database, and listens. Everything else is in createApp.
import { ConfigError, loadConfig } from './config.ts';
import { createLogger } from './logger.ts';
import { boot } from './bootstrap.ts';
import { createApp } from './app.ts';
import { registryHandlers, registryOrderedKinds, Worker } from './jobs/worker.ts';
import { scheduleDaily } from './jobs/service.ts';
import { queueInitialSync } from './newsletter/sync.ts';
import { DataDirLockedError } from './db/connect.ts';

let config;
try {
  config = loadConfig();
} catch (err) {
  if (err instanceof ConfigError) {
    process.stderr.write(`${err.message}\n`);
    process.exit(1);
  }
  throw err;
}
const logger = createLogger(config.logLevel);

// Development without a Mailchimp key: the local fake Mailchimp, in this process.
const fakeMailchimp = !config.mailchimp && config.env === 'development' ? await (await import('./newsletter/dev.ts')).startDevMailchimp(config) : null;

let booted;
try {
  booted = await boot(config, logger);
} catch (err) {
  if (err instanceof DataDirLockedError) {
    process.stderr.write(`${err.message}\n`);
    process.exit(1);
  }
  throw err;
}
const { deps, database } = booted;

if (database.kind === 'pglite' && config.seedDemo && !config.isProduction && (await deps.db.member.count()) === 0) {
  // Demo code is loaded only here, never by a production start.
  const { seedDemo } = await import('../prisma/seed.ts');
  const { printDemoAccounts } = await import('./dev/print-demo.ts');
  printDemoAccounts(await seedDemo(deps));
}

const worker = new Worker({ db: deps.db, clock: deps.clock, logger, handlers: registryHandlers(deps), orderedKinds: registryOrderedKinds(deps) });
let daily: NodeJS.Timeout | undefined;
if (config.jobsWorker) {
  worker.start();
  await scheduleDaily(deps);
  // Members who opted in before Mailchimp was configured are queued once.
  void queueInitialSync(deps).catch((e: unknown) => logger.error({ err: String(e) }, 'newsletter initial sync failed'));
  daily = setInterval(() => void scheduleDaily(deps).catch((e: unknown) => logger.error({ err: String(e) }, 'schedule failed')), 3600_000);
}

const app = createApp(deps);
const server = app.listen(config.port, config.host, () => {
  logger.info({ port: config.port, host: config.host, database: database.kind }, 'listening');
  process.stdout.write(`Site disponible sur http://${config.host === '0.0.0.0' ? 'localhost' : config.host}:${config.port}\n`);
  if (fakeMailchimp) {
    process.stdout.write(
      `Sans MAILCHIMP_API_KEY, la lettre passe par le faux Mailchimp local : ${fakeMailchimp.url.replace('/3.0', '')}/__fake/members ` +
        `(webhook : /webhooks/mailchimp/${config.mailchimpWebhookSecret})\n`,
    );
  }
  if (deps.mailer.dir) process.stdout.write(`Sans SMTP, les courriels ne partent pas : chacun est déposé en entier dans ${deps.mailer.dir}\n`);
});

let stopping = false;
async function shutdown(signal: string) {
  if (stopping) return;
  stopping = true;
  logger.info({ signal }, 'shutting down');
  clearInterval(daily);
  const force = setTimeout(() => process.exit(1), 15_000).unref();
  server.close(async () => {
    await worker.stop();
    await fakeMailchimp?.stop();
    deps.mailer.close?.();
    await database.close();
    clearTimeout(force);
    logger.info('stopped');
    process.exit(0);
  });
  server.closeIdleConnections();
}
process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGINT', () => void shutdown('SIGINT'));

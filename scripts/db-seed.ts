// npm run db:seed: demo content through the app's own services (refused in production).
import { loadConfig } from '../src/config.ts';
import { createLogger } from '../src/logger.ts';
import { boot } from '../src/bootstrap.ts';
import { seedDemo } from '../prisma/seed.ts';
import { printDemoAccounts } from '../src/dev/print-demo.ts';

const config = loadConfig();
if (config.isProduction) {
  console.error('Les données de démonstration ne sont jamais créées quand NODE_ENV=production.');
  process.exit(1);
}
const { deps, database } = await boot(config, createLogger('warn'));
try {
  printDemoAccounts(await seedDemo(deps));
} finally {
  await database.close();
}

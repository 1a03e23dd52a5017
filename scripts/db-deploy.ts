// npm run db:deploy: applies pending migrations to the configured database.
import { loadConfig } from '../src/config.ts';
import { deployConfigured } from '../src/db/migrations.ts';

await deployConfigured(loadConfig());

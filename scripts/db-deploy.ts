// npm run db:deploy: applies pending migrations to the configured database.
import { loadConfig } from '../src/config.ts';
import { openDatabase } from '../src/db/connect.ts';
import { applyMigrations } from '../src/db/migrations.ts';

const db = await openDatabase(loadConfig());
try {
  const applied = await applyMigrations(db.factory);
  console.info(applied.length ? `Appliquée(s) : ${applied.join(', ')}` : 'Aucune migration en attente.');
} finally {
  await db.close();
}

// npm run db:migrate -- --name <name>: writes a migration from the schema change, then applies it.
import { parseArgs } from 'node:util';
import { loadConfig } from '../src/config.ts';
import { createMigration, deployConfigured } from '../src/db/migrations.ts';

const { values } = parseArgs({ options: { name: { type: 'string' }, 'create-only': { type: 'boolean' } } });
if (!values.name) {
  console.error('Usage : npm run db:migrate -- --name <nom_de_la_migration> [--create-only]');
  process.exit(2);
}
const folder = await createMigration(values.name);
console.info(folder ? `Migration écrite : ${folder}` : 'Le schéma est déjà à jour : aucune migration créée.');
if (!values['create-only']) await deployConfigured(loadConfig());

// npm run fec:check -- <file>: checks a FEC file (art. A47 A-1 LPF); exit code 1 when it has defects.
import { checkFecFile } from '../src/accounting/fec-check.ts';

const file = process.argv[2];
if (!file) {
  process.stderr.write('Usage : npm run fec:check -- <fichier FEC>\n');
  process.exit(2);
}
const { issues, lineCount, entryCount } = await checkFecFile(file);
for (const i of issues) process.stdout.write(`ligne ${i.line} [${i.rule}] ${i.message}\n`);
process.stdout.write(issues.length === 0 ? `FEC conforme : ${lineCount} lignes, ${entryCount} écritures.\n` : `${issues.length} défaut(s) ; ${lineCount} lignes, ${entryCount} écritures.\n`);
process.exit(issues.length === 0 ? 0 : 1);

export function printDemoAccounts(seed: { password: string; list: readonly { role: string; email: string }[]; codes: string[]; alreadyThere: boolean }) {
  const out = process.stdout;
  out.write(seed.alreadyThere ? '\nDonnées de démonstration déjà présentes.\n' : '\nDonnées de démonstration créées.\n');
  out.write(`Comptes de démonstration (mot de passe commun : ${seed.password}) :\n`);
  for (const a of seed.list) out.write(`  ${a.role.padEnd(11)} ${a.email}\n`);
  if (seed.codes.length) out.write(`Codes coupons à essayer (5 € chacun) : ${seed.codes.join('  ')}\n`);
  out.write('\n');
}

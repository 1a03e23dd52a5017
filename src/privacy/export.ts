// The member's data export (GDPR art. 15 and 20), built from the classification map: a new
// table or column with an owner appears in the export without anyone having to add it.
import type { Deps } from '../deps.ts';
import { CLASSIFICATION, ruleOf } from './classification.ts';
import { POLICY_VERSION } from './policy.ts';
import { memberNumber } from '../http/view-helpers.ts';
import { audit } from './audit.ts';

const q = (ident: string) => `"${ident.replace(/"/g, '""')}"`;

function plain(value: unknown): unknown {
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof Date) return value.toISOString();
  return value;
}

export async function exportMemberData(deps: Deps, memberId: string): Promise<Record<string, unknown>> {
  const member = await deps.db.member.findUniqueOrThrow({ where: { id: memberId } });
  const out: Record<string, unknown> = {
    format: 'club-petites-stars/export-v1',
    genere_le: deps.clock.now().toISOString(),
    numero_de_membre: memberNumber(member.number),
    politique_de_confidentialite: POLICY_VERSION,
  };
  for (const [table, rule] of Object.entries(CLASSIFICATION)) {
    if (!rule.owner || !rule.exportAs) continue;
    const cols = Object.entries(rule.fields)
      .filter(([, f]) => !ruleOf(f).secret)
      .map(([c]) => q(c));
    const rows = await deps.db.$queryRawUnsafe<Record<string, unknown>[]>(
      `SELECT ${cols.join(', ')} FROM ${q(table)} WHERE ${q(rule.owner)} = $1::uuid ORDER BY 1`,
      memberId,
    );
    const clean = rows.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, plain(v)])));
    out[rule.exportAs] = table === 'Member' ? clean[0] : clean;
  }
  // Coupons used: the batch label says what each one was.
  const used = out.coupons_utilises as { batchId: string }[];
  const batches = await deps.db.couponBatch.findMany({ where: { id: { in: used.map((c) => c.batchId) } }, select: { id: true, label: true, valueCents: true } });
  out.coupons_utilises = used.map((c) => ({ ...c, lot: batches.find((b) => b.id === c.batchId) }));
  out.credit_solde_centimes = (out.credit as { amountCents: number }[]).reduce((s, l) => s + l.amountCents, 0);
  // Hand-overs of personal data to third parties (suppliers, carriers, Mailchimp) are listed here
  // as the features that make them exist; none is made by the current features.
  out.transmissions_a_des_tiers = [];
  await audit(deps.db, 'data.exported', { at: deps.clock.now(), actor: memberId, subject: memberId });
  return out;
}

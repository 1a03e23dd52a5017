// The chart of accounts: defaults of DESIGN §5 (PCG), overridden by the accountant's rows in
// ChartAccount. Lines copy the resolved number and label when they are validated, so a later
// change only affects entries posted afterwards.
import type { Db } from '../db/connect.ts';
import type { Prisma } from '../generated/prisma/client.ts';

export type AccountKey =
  | 'CLIENTS'
  | 'CLIENTS_CREDITEURS'
  | 'TVA_COLLECTEE'
  | 'BANQUE'
  | 'VENTES'
  | 'PORTS'
  | 'REMISES'
  | 'CADEAUX'
  | 'ACHATS'
  | 'PRODUITS_DIVERS';

export interface ChartEntry {
  number: string;
  label: string;
}

export const DEFAULT_CHART: Readonly<Record<AccountKey, ChartEntry>> = {
  CLIENTS: { number: '411', label: 'Clients' },
  CLIENTS_CREDITEURS: { number: '4191', label: 'Clients créditeurs' },
  TVA_COLLECTEE: { number: '44571', label: 'TVA collectée' },
  BANQUE: { number: '512', label: 'Banque' },
  VENTES: { number: '707', label: 'Ventes de marchandises' },
  PORTS: { number: '7085', label: 'Ports et frais accessoires facturés' },
  REMISES: { number: '7097', label: 'Rabais, remises et ristournes accordés' },
  CADEAUX: { number: '6234', label: 'Cadeaux à la clientèle' },
  ACHATS: { number: '607', label: 'Achats de marchandises' },
  PRODUITS_DIVERS: { number: '758', label: 'Produits divers de gestion courante' },
};

export const ACCOUNT_KEYS = Object.keys(DEFAULT_CHART) as AccountKey[];

/**
 * The start a number must keep for its role when the accountant renumbers it: the PCG account or
 * class of the default (a sub-account like 4110000 or 51201 is fine, another class is not).
 * 411/419 also because the FEC allows auxiliary accounts on those only. A role missing here needs
 * only the first digit (class) of its default.
 */
const EXPECTED_PREFIX: Partial<Record<AccountKey, string>> = {
  CLIENTS: '411',
  CLIENTS_CREDITEURS: '419',
  TVA_COLLECTEE: '4457',
  BANQUE: '512',
  VENTES: '70',
  PORTS: '708',
  REMISES: '709',
  CADEAUX: '623',
  ACHATS: '60',
  PRODUITS_DIVERS: '75',
};
export const expectedPrefix = (key: AccountKey): string => EXPECTED_PREFIX[key] ?? DEFAULT_CHART[key].number.slice(0, 1);
export const isAccountKey = (k: string): k is AccountKey => Object.hasOwn(DEFAULT_CHART, k);

/** Accounts that carry an auxiliary account (the member number). */
export const AUXILIARY_KEYS: ReadonlySet<AccountKey> = new Set(['CLIENTS', 'CLIENTS_CREDITEURS']);

/** The chart as it stands: defaults with the accountant's changes applied. */
export async function loadChart(db: Db | Prisma.TransactionClient): Promise<Record<AccountKey, ChartEntry>> {
  const chart = { ...DEFAULT_CHART } as Record<AccountKey, ChartEntry>;
  const rows = await db.chartAccount.findMany();
  for (const r of rows) if (isAccountKey(r.key)) chart[r.key] = { number: r.number, label: r.label };
  return chart;
}

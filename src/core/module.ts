// The module contract: what a domain folder declares about itself in its module.ts. The
// composition root (src/modules.ts, src/http/app.ts) reads these declarations; so do the eraser,
// the data export, the jobs worker, the audit journal and the tests.
import type { Router } from 'express';
import type { z } from 'zod';
import type { Prisma } from '../generated/prisma/client.ts';
import type { ErasureReason } from '../privacy/eraser.ts';
import type { Deps } from '../deps.ts';

export type Area = 'public' | 'member' | 'staff' | 'accountant' | 'admin';
export type GuardedArea = Exclude<Area, 'public'>;

/** Where each guarded area is mounted: a module's routes for an area are relative to it. */
export const AREA_PREFIX: Record<GuardedArea, string> = {
  member: '/compte',
  staff: '/gestion',
  accountant: '/comptabilite',
  admin: '/admin',
};

// ---- Data classification (DESIGN §3) ----

export type DataClass = 'personal' | 'pseudonymous-id' | 'accounting' | 'operational';

export interface FieldRule {
  class: DataClass;
  /** SQL expression written on erasure; personal fields default to NULL. */
  erasedValue?: string;
  /** Kept out of the member's export (secrets: hashes, session contents). */
  secret?: boolean;
}

type Scalars<N extends Prisma.ModelName> = Prisma.TypeMap['model'][N]['payload']['scalars'];
type Column<N extends Prisma.ModelName> = keyof Scalars<N> & string;

/**
 * Whose row it is: a column holding the member's id, or a key to a parent row that has an owner
 * itself (an order line through its order; a disclosure record through its order).
 */
export type Owner<N extends Prisma.ModelName> = Column<N> | { via: Prisma.ModelName; key: Column<N> };

/**
 * On erasure: scrub the row's personal fields, delete the row, keep it as it is, or decide per row:
 * delete the rows matching an SQL condition and treat the others as `otherwise` (a contest entry
 * is deleted while its contest is open, anonymised once a draw has published it).
 */
export type OnErase = 'scrub' | 'delete' | 'keep' | { deleteWhere: string; otherwise: 'scrub' | 'keep' };

export interface TableRule<N extends Prisma.ModelName = Prisma.ModelName> {
  owner?: Owner<N>;
  onErase: OnErase;
  /** Every scalar column of the model; the compiler refuses a missing or unknown one. */
  fields: { [K in Column<N>]-?: DataClass | FieldRule };
}

export type Classification = { [N in Prisma.ModelName]?: TableRule<N> };

/** A table rule seen without its model's column names (for code that walks every table). */
export interface AnyTableRule {
  owner?: string | { via: Prisma.ModelName; key: string };
  onErase: OnErase;
  fields: Record<string, DataClass | FieldRule>;
}
export const tableRules = (c: Classification): [Prisma.ModelName, AnyTableRule][] => Object.entries(c) as [Prisma.ModelName, AnyTableRule][];

export const ruleOf = (field: DataClass | FieldRule): FieldRule => (typeof field === 'string' ? { class: field } : field);

// ---- Jobs ----

export interface JobDefinition {
  /** French, for the admins' jobs page. */
  label: string;
  execute(deps: Deps, payload: unknown): Promise<void>;
  /** Jobs of this kind run one at a time per member, in the order they were queued (jobs/worker.ts). */
  orderedPerMember?: boolean;
  /**
   * What the member's export shows of a queued job's payload, in French keys, secrets masked (a
   * link's token). Without it, the export says that the job exists, not what it carries.
   */
  exportPayload?(payload: unknown): Record<string, unknown> | null;
}

/** A job kind whose stored payload is checked against its schema: the handler sees only that type. */
export function defineJob<P>(
  label: string,
  schema: z.ZodType<P>,
  run: (deps: Deps, payload: P) => Promise<void>,
  opts: { orderedPerMember?: boolean; exportPayload?: (payload: P) => Record<string, unknown> } = {},
): JobDefinition {
  const { exportPayload, ...rest } = opts;
  return {
    label,
    execute: (deps, payload) => run(deps, schema.parse(payload)),
    ...rest,
    // A payload that no longer parses (an older shape, or blanked once done) shows as nothing.
    ...(exportPayload && {
      exportPayload: (payload: unknown) => {
        const parsed = schema.safeParse(payload);
        return parsed.success ? exportPayload(parsed.data) : null;
      },
    }),
  };
}

// ---- Erasure, export, navigation ----

export type Tx = Prisma.TransactionClient;

export interface ErasureContext {
  deps: Deps;
  memberId: string;
  now: Date;
  /** The member agreed to lose what they hold (their remaining credit); always true for admins and retention. */
  forfeitConfirmed: boolean;
  /** Who asked: a veto speaks to the member ('self') or to the admin ('admin-request'). */
  reason: ErasureReason;
}

export interface ErasureHooks {
  /** Why this member cannot be erased now (French, shown to them), or null. Runs under the member's lock. */
  veto?(tx: Tx, ctx: ErasureContext): Promise<string | null>;
  /** Runs in the erasure transaction before the classification-driven statements. */
  before?(tx: Tx, ctx: ErasureContext): Promise<void>;
}

export interface ExportSection {
  /** The section's key in the JSON file: stable, documented in docs/data-export.md. */
  key: string;
  /** French heading and explanation on the "Mes données" page. */
  title: string;
  description: string;
  /** The member's rows of this table, secret columns left out (the default builder). */
  table?: Prisma.ModelName;
  /**
   * The columns the default builder lists the rows by, oldest first: a date, then the id for rows
   * of the same instant. Without it, by the table's first column (an id that grows with time).
   */
  orderBy?: readonly string[];
  /**
   * A builder of its own, when the rows need joining or wording. `limit` (the "Mes données" page)
   * asks for at most that many rows of a list; the download passes none and gets everything.
   */
  build?(deps: Deps, memberId: string, opts?: { limit?: number }): Promise<unknown>;
}

/** A hand-over of the member's personal data to a third party (supplier, carrier, Mailchimp). */
export interface Disclosure {
  destinataire: string;
  donnees: string;
  motif: string;
  date: string;
}

export interface NavEntry {
  area: Area;
  /** Absolute path. */
  href: string;
  label: string;
  /** One line shown on the area's home page. */
  hint?: string;
}

export interface DomainModule {
  name: string;
  /** Routers per area; guarded areas are mounted under AREA_PREFIX behind the role guard. */
  routes?: Partial<Record<Area, (deps: Deps) => Router>>;
  jobs?: Record<string, JobDefinition>;
  /** Job kinds queued once a day (once across all processes). */
  daily?: string[];
  classification?: Classification;
  erasure?: ErasureHooks;
  exports?: ExportSection[];
  /** The hand-overs of the member's data this domain made, for the export and the "Mes données" page. */
  disclosures?(deps: Deps, memberId: string): Promise<Disclosure[]>;
  /** Audit actions this domain writes, with their French labels for the journal. */
  audit?: Record<string, string>;
  /**
   * Path prefixes whose rest is a secret (a capability link's token, a webhook's secret): the logs
   * write `…` in its place, whatever the answer (even a refusal before any route matched).
   */
  secretPaths?: string[];
  /** French names of the keys this domain puts in its audit events' details (e.g. productId: 'produit'). */
  auditDetails?: Record<string, string>;
  /** French words for the codes this domain puts as values in those details (e.g. carrier: 'transporteur'). */
  auditDetailValues?: Record<string, string>;
  nav?: NavEntry[];
  /**
   * Facts about the logged-in member a page shows on every visit (e.g. the credit balance): a
   * scalar SQL expression per name over the member's row, aliased `m`, read with the session in
   * the same statement. They hold as of the start of the request: see `memberFact` (http/auth.ts).
   * They come back as JSON values (numbers, text, booleans, null; a timestamp as text).
   */
  memberFacts?: Record<string, string>;
}

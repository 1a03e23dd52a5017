// Every column of every table, classified (DESIGN §3). The eraser and the data export read this
// map; a test compares it with the database catalogue and fails on any unclassified column.
export type DataClass = 'personal' | 'pseudonymous-id' | 'accounting' | 'operational';

export interface FieldRule {
  class: DataClass;
  /** SQL expression written on erasure; personal fields default to NULL. */
  erasedValue?: string;
  /** Kept out of the member's export (secrets: hashes, session contents). */
  secret?: boolean;
}

export interface TableRule {
  /** The column that names the member a row belongs to (export and erasure). */
  owner?: string;
  /** On erasure: scrub personal fields, delete the member's rows, or keep them as they are. */
  onErase: 'scrub' | 'delete' | 'keep';
  /** Shown in the export under this name (omitted: not exported). */
  exportAs?: string;
  fields: Record<string, DataClass | FieldRule>;
}

const P: DataClass = 'personal';
const O: DataClass = 'operational';
const ID: DataClass = 'pseudonymous-id';
const A: DataClass = 'accounting';

export const CLASSIFICATION: Record<string, TableRule> = {
  Member: {
    owner: 'id',
    onErase: 'scrub',
    exportAs: 'profil',
    fields: {
      id: ID,
      number: ID,
      role: { class: O, erasedValue: `'MEMBER'` },
      email: P,
      passwordHash: { class: P, secret: true },
      firstName: P,
      lastName: P,
      addressLine1: P,
      addressLine2: P,
      postcode: P,
      city: P,
      country: P,
      phone: P,
      newsletterOptIn: { class: P, erasedValue: 'false' },
      emailConfirmedAt: P,
      createdAt: O,
      // An erased row keeps only id, number, creation date and erasedAt.
      lastActiveAt: { class: O, erasedValue: '"createdAt"' },
      inactivityWarnedAt: { class: O, erasedValue: 'NULL' },
      sessionsValidAfter: { class: O, erasedValue: 'NULL' },
      erasedAt: O,
    },
  },
  MemberToken: {
    owner: 'memberId',
    onErase: 'delete',
    exportAs: 'liens_en_attente',
    fields: { id: O, memberId: ID, purpose: O, tokenHash: { class: P, secret: true }, email: P, expiresAt: O, usedAt: O, createdAt: O },
  },
  Consent: {
    owner: 'memberId',
    onErase: 'keep',
    exportAs: 'consentements',
    fields: { id: O, memberId: ID, kind: O, policyVersion: O, givenAt: O, withdrawnAt: O },
  },
  Session: {
    owner: 'memberId',
    onErase: 'delete',
    fields: { sid: { class: O, secret: true }, data: { class: P, secret: true }, memberId: ID, expiresAt: O },
  },
  AuditEvent: {
    owner: 'subjectMemberId',
    onErase: 'keep',
    exportAs: 'journal_de_securite',
    fields: { id: O, at: O, action: O, actorMemberId: ID, subjectMemberId: ID, details: O },
  },
  Job: {
    owner: 'memberId',
    onErase: 'delete',
    exportAs: 'envois_en_attente',
    fields: {
      id: O, kind: O, payload: { class: P, secret: true }, status: O, attempts: O, maxAttempts: O, runAt: O, lockedAt: O, lockedBy: O,
      lastError: O, memberId: ID, uniqueKey: O, createdAt: O, finishedAt: O,
    },
  },
  MailMessage: {
    owner: 'memberId',
    onErase: 'delete',
    exportAs: 'courriels',
    fields: { id: O, to: P, subject: O, text: P, memberId: ID, createdAt: O },
  },
  RateLimit: {
    onErase: 'keep',
    fields: { key: O, windowStart: O, count: O },
  },
  CouponBatch: {
    onErase: 'keep',
    fields: {
      id: O, label: O, valueCents: O, quantity: O, validFrom: O, validUntil: O, perMemberLimit: O,
      createdById: ID, createdAt: O, codesIssuedAt: O, voidedAt: O, voidReason: O, voidedById: ID,
    },
  },
  Coupon: {
    owner: 'redeemedById',
    onErase: 'scrub',
    exportAs: 'coupons_utilises',
    // The coupon stays spent (redeemedAt kept) but nothing says who used it: the redeemer is
    // cleared and the date cut to the month, so it cannot be matched with a credit line's time.
    fields: {
      id: O,
      batchId: O,
      codeHash: { class: O, secret: true },
      redeemedAt: { class: O, erasedValue: `date_trunc('month', "redeemedAt")` },
      redeemedById: P,
    },
  },
  CreditLine: {
    owner: 'memberId',
    onErase: 'scrub',
    exportAs: 'credit',
    fields: {
      id: A,
      memberId: ID,
      amountCents: A,
      kind: A,
      label: { class: P, erasedValue: `CASE WHEN kind = 'COUPON' THEN 'Coupon' ELSE label END` },
      reason: P,
      couponId: P,
      idempotencyKey: { class: P, erasedValue: `'erased:' || id::text`, secret: true },
      createdById: ID,
      createdAt: A,
    },
  },
};

export function ruleOf(field: DataClass | FieldRule): FieldRule {
  return typeof field === 'string' ? { class: field } : field;
}

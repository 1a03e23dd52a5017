// Member accounts: registration, confirmation, login, password reset, profile changes.
import type { Deps } from '../deps.ts';
import type { Member, Role } from '../generated/prisma/client.ts';
import { ConflictError, isUniqueViolation, NotFoundError, TooManyRequestsError, ValidationError } from '../core/errors.ts';
import { LIMITS, hit, refund } from '../core/rate-limit.ts';
import { admitLoginAttempt, loginSucceeded } from './login-throttle.ts';
import { auditWith } from '../audit/service.ts';
import { recordConsent } from '../privacy/consents.ts';
import { consumeToken, hashToken, issueToken } from './tokens.ts';
import { dummyHash, hashPassword, verifyPassword } from './password.ts';
import { mails } from './emails.ts';
import { memberDetailsChanged } from '../newsletter/service.ts';
import { queueMail } from '../mail/outbox.ts';
import { enqueue } from '../jobs/queue.ts';
import { balanceOf } from '../credit/ledger.ts';
import { eraseMember, erasureVeto } from '../privacy/eraser.ts';
import { Prisma } from '../generated/prisma/client.ts';
import type { Registry } from '../core/registry.ts';
import type { z } from 'zod';
import type { ContactSchema, RegisterSchema } from './schema.ts';

export const ACCOUNTS_AUDIT = {
  'login.failed': 'Connexion refusée',
  'login.succeeded': 'Connexion',
  'password.changed': 'Mot de passe changé',
  'password.reset': 'Mot de passe réinitialisé',
  'email.changed': 'Adresse électronique changée',
  'member.registered': 'Inscription',
  'role.changed': 'Rôle changé',
} as const;
const audit = auditWith(ACCOUNTS_AUDIT);

export type RegisterInput = z.infer<typeof RegisterSchema>;
export type ContactInput = z.infer<typeof ContactSchema>;

const contactData = (c: ContactInput) => ({
  firstName: c.firstName,
  lastName: c.lastName,
  addressLine1: c.addressLine1,
  addressLine2: c.addressLine2,
  postcode: c.postcode,
  city: c.city,
  country: c.country,
  phone: c.phone,
});

/** Same outcome whether the address is new or known: no account enumeration. */
export async function registerMember(deps: Deps, input: RegisterInput): Promise<string | null> {
  const now = deps.clock.now();
  const passwordHash = await hashPassword(input.password);
  // Two submissions at once for one new address: the unique index lets one through; the other is
  // answered as for a known address (the same page, no enumeration, no 500).
  try {
    return await deps.db.$transaction(async (tx) => {
    const existing = await tx.member.findUnique({ where: { email: input.email } });
    if (existing) {
      const m = mails.alreadyRegistered(deps);
      await queueMail(tx, now, existing.id, input.email, m);
      return null;
    }
    const member = await tx.member.create({
      data: { email: input.email, passwordHash, newsletterOptIn: input.newsletter, lastActiveAt: now, createdAt: now, ...contactData(input) },
    });
    await recordConsent(tx, member.id, 'terms-and-privacy', now);
    if (input.newsletter) await recordConsent(tx, member.id, 'newsletter', now);
    const token = await issueToken(tx, member.id, 'CONFIRM_EMAIL', now, input.email);
    const m = mails.confirm(deps, input.firstName, token);
    await queueMail(tx, now, member.id, input.email, m);
    await audit(tx, 'member.registered', { at: now, actor: member.id, subject: member.id });
    return member.id;
  });
  } catch (err) {
    if (isUniqueViolation(err)) return null;
    throw err;
  }
}

/** Confirms an address (first registration or a change of e-mail). Returns false for a bad link. */
export async function confirmEmail(deps: Deps, token: string): Promise<boolean> {
  const now = deps.clock.now();
  return deps.db.$transaction(async (tx) => {
    const row = await consumeToken(tx, token, 'CONFIRM_EMAIL', now);
    if (!row?.email) return false;
    const member = await tx.member.findUnique({ where: { id: row.memberId } });
    if (!member || member.erasedAt) return false;
    if (member.email !== row.email) {
      const taken = await tx.member.findUnique({ where: { email: row.email } });
      if (taken) throw new ConflictError('Cette adresse est déjà utilisée par un autre compte.');
      await audit(tx, 'email.changed', { at: now, actor: member.id, subject: member.id });
      if (member.email && member.emailConfirmedAt) {
        const m = mails.emailChanged(deps);
        await queueMail(tx, now, member.id, member.email, m);
      }
    }
    await tx.member.update({ where: { id: member.id }, data: { email: row.email, emailConfirmedAt: now } });
    await memberDetailsChanged(tx, deps, member.id, now);
    return true;
  });
}

export async function resendConfirmation(deps: Deps, member: Member): Promise<void> {
  if (member.emailConfirmedAt || !member.email) return;
  await mailAllowance(deps, member);
  const now = deps.clock.now();
  await deps.db.$transaction(async (tx) => {
    const token = await issueToken(tx, member.id, 'CONFIRM_EMAIL', now, member.email!);
    const m = mails.confirm(deps, member.firstName ?? '', token);
    await queueMail(tx, now, member.id, member.email!, m);
  });
}

export const LOGIN_FAILED = 'Adresse électronique ou mot de passe incorrect.';

/**
 * Checks the credentials; the same error whatever was wrong. Each attempt is counted before the
 * password is checked (a burst of parallel guesses cannot slip through), and a success is given back.
 * `resetMemberId`: the member whose password this browser has just reset (see login-throttle.ts).
 */
export async function authenticate(deps: Deps, email: string, password: string, ip: string, resetMemberId?: string): Promise<Member> {
  if (!(await admitLoginAttempt(deps, email, ip, resetMemberId))) {
    throw new TooManyRequestsError('Trop de tentatives de connexion. Réessayez dans 15 minutes, ou réinitialisez votre mot de passe.');
  }
  const member = await deps.db.member.findUnique({ where: { email } });
  const now = deps.clock.now();
  const ok = await verifyPassword(member?.passwordHash ?? (await dummyHash()), password);
  if (!member || !ok || member.erasedAt) {
    await audit(deps.db, 'login.failed', { at: now, subject: member?.id ?? null });
    throw new ValidationError(LOGIN_FAILED);
  }
  await loginSucceeded(deps, email, ip);
  await deps.db.member.update({ where: { id: member.id }, data: { lastActiveAt: now, inactivityWarnedAt: null } });
  await audit(deps.db, 'login.succeeded', { at: now, actor: member.id, subject: member.id });
  return member;
}

/**
 * Queues the reset for any address: the lookup happens in the background job, so the answer
 * takes the same time whether an account exists or not.
 */
export async function requestPasswordReset(deps: Deps, email: string): Promise<void> {
  await enqueue(deps.db, { kind: 'password-reset', payload: { email }, at: deps.clock.now() });
}

/** The background half of a reset request: a link for an existing account, nothing otherwise. */
export async function sendPasswordReset(deps: Deps, email: string): Promise<void> {
  const member = await deps.db.member.findUnique({ where: { email } });
  if (!member || member.erasedAt) return;
  const now = deps.clock.now();
  await deps.db.$transaction(async (tx) => {
    const token = await issueToken(tx, member.id, 'RESET_PASSWORD', now);
    const m = mails.reset(deps, token);
    await queueMail(tx, now, member.id, email, m);
  });
}

export async function isResetTokenValid(deps: Deps, token: string): Promise<boolean> {
  const row = await deps.db.memberToken.findUnique({ where: { tokenHash: hashToken(token) } });
  return !!row && row.purpose === 'RESET_PASSWORD' && !row.usedAt && row.expiresAt > deps.clock.now();
}

/** Sets a new password from a reset link and closes every session of the member; returns the member's id, or null for a bad link. */
export async function resetPassword(deps: Deps, token: string, password: string): Promise<string | null> {
  const passwordHash = await hashPassword(password);
  const now = deps.clock.now();
  return deps.db.$transaction(async (tx) => {
    const row = await consumeToken(tx, token, 'RESET_PASSWORD', now);
    if (!row) return null;
    const member = await tx.member.update({ where: { id: row.memberId }, data: { passwordHash, sessionsValidAfter: now } });
    await tx.session.deleteMany({ where: { memberId: member.id } });
    await dropPendingEmailChanges(tx, member);
    await audit(tx, 'password.reset', { at: now, actor: member.id, subject: member.id });
    const m = mails.passwordChanged();
    if (member.email) await queueMail(tx, now, member.id, member.email, m);
    return member.id;
  });
}

/** Never writes to an erased account (a save that raced the erasure finds nothing to update). */
export async function updateContact(deps: Deps, memberId: string, input: ContactInput): Promise<void> {
  await deps.db.$transaction(async (tx) => {
    const r = await tx.member.updateMany({ where: { id: memberId, erasedAt: null }, data: contactData(input) });
    if (r.count !== 1) throw new NotFoundError('Ce compte n’existe plus.');
    // Nothing of it goes to Mailchimp, which holds the address only (decision 0076).
  });
}

/**
 * A change of password ends any pending change of e-mail address: someone who had the account
 * before (or pre-registered the address) cannot confirm their own address afterwards.
 */
async function dropPendingEmailChanges(tx: Prisma.TransactionClient, member: Member): Promise<void> {
  await tx.memberToken.deleteMany({ where: { memberId: member.id, purpose: 'CONFIRM_EMAIL', NOT: { email: member.email } } });
}

/** Confirms a logged-in member's password before a sensitive change; 5 wrong tries per 15 minutes. */
export async function checkPassword(deps: Deps, member: Member, password: string): Promise<void> {
  if (!(await hit(deps, LIMITS.passwordCheck, member.id))) {
    throw new TooManyRequestsError('Trop de mots de passe erronés. Réessayez dans 15 minutes.', 'currentPassword');
  }
  if (!(await verifyPassword(member.passwordHash, password))) {
    throw new ValidationError('Mot de passe actuel incorrect.', 'currentPassword');
  }
  await refund(deps, LIMITS.passwordCheck, member.id);
}

async function mailAllowance(deps: Deps, member: Member): Promise<void> {
  if (!(await hit(deps, LIMITS.memberMail, member.id))) {
    throw new TooManyRequestsError('Trop de courriels demandés. Réessayez dans une heure.');
  }
}

/** A new address takes effect once confirmed from the link sent to it. */
export async function requestEmailChange(deps: Deps, member: Member, email: string, password: string): Promise<void> {
  await checkPassword(deps, member, password);
  if (email === member.email) return;
  await mailAllowance(deps, member);
  const now = deps.clock.now();
  await deps.db.$transaction(async (tx) => {
    // The address belongs to another account: its holder is told, neutrally, and no link is made
    // (the link would fail anyway); the requester sees the same answer, so addresses stay private.
    const holder = await tx.member.findUnique({ where: { email }, select: { id: true, erasedAt: true } });
    if (holder && !holder.erasedAt) return void (await queueMail(tx, now, holder.id, email, mails.addressClaimed(deps)));
    const token = await issueToken(tx, member.id, 'CONFIRM_EMAIL', now, email);
    await queueMail(tx, now, member.id, email, mails.confirmNewAddress(deps, member.firstName ?? '', token));
  });
}

/** Changes the password and closes the member's other sessions. */
export async function changePassword(deps: Deps, member: Member, current: string, next: string, keepSid: string): Promise<void> {
  await checkPassword(deps, member, current);
  const passwordHash = await hashPassword(next);
  const now = deps.clock.now();
  await deps.db.$transaction(async (tx) => {
    await tx.member.update({ where: { id: member.id }, data: { passwordHash, sessionsValidAfter: now } });
    await tx.session.deleteMany({ where: { memberId: member.id, sid: { not: keepSid } } });
    await dropPendingEmailChanges(tx, member);
    await audit(tx, 'password.changed', { at: now, actor: member.id, subject: member.id });
    const m = mails.passwordChanged();
    if (member.email) await queueMail(tx, now, member.id, member.email, m);
  });
}


/** Registration from the public form: at most 10 per source address and hour. */
export async function signUp(deps: Deps, input: RegisterInput, ip: string): Promise<void> {
  if (!(await hit(deps, LIMITS.register, ip))) {
    throw new TooManyRequestsError('Trop d’inscriptions depuis votre connexion. Réessayez dans une heure.');
  }
  await registerMember(deps, input);
}

/** A reset link for the address, if it has an account; at most 10 requests per source address and hour. */
export async function askPasswordReset(deps: Deps, email: string, ip: string): Promise<void> {
  if (!(await hit(deps, LIMITS.reset, ip))) {
    throw new TooManyRequestsError('Trop de demandes depuis votre connexion. Réessayez dans une heure.');
  }
  await requestPasswordReset(deps, email);
}

/**
 * A session row, its member and the modules' member facts (DomainModule.memberFacts), read in one
 * statement (the member null when logged out or erased): what every request with the session
 * cookie needs. The statement runs on the driver, without Prisma's client, which cost more CPU
 * than the database here (decision 0022); a test checks the member equals Prisma's own reading of
 * the row. The member and the facts come as two JSON values, not one column per field: each column
 * costs the driver (and the embedded database's thread) its own decoding (decision 0024).
 */
export async function sessionWithMember(deps: Deps, sid: string): Promise<SessionWithMember | null> {
  const [row] = await deps.direct.rows<{ sessionData: string; sessionExpiresAt: Date; member: unknown; facts: unknown }>(
    sessionStatement(deps.registry),
    [sid],
  );
  if (!row) return null;
  const member = row.member === null ? null : (fromJson(row.member) as Record<string, unknown>);
  if (member) {
    // JSON writes a timestamp as text, without a zone: the columns hold UTC (as Prisma writes them).
    for (const field of MEMBER_DATES) {
      const value = member[field];
      if (typeof value === 'string') member[field] = new Date(`${value}Z`);
    }
  }
  return {
    data: row.sessionData,
    expiresAt: row.sessionExpiresAt,
    member: member as Member | null,
    facts: member ? (fromJson(row.facts) as Record<string, unknown>) : {},
  };
}

export interface SessionWithMember {
  data: string;
  expiresAt: Date;
  member: Member | null;
  facts: Record<string, unknown>;
}

/** A JSON column, as the driver gives it: parsed already (pg), or as its text. */
const fromJson = (value: unknown): unknown => (typeof value === 'string' ? JSON.parse(value) : value);

type DateField = { [K in keyof Member]-?: Date extends NonNullable<Member[K]> ? K : never }[keyof Member];
/** The member's timestamps, read back from JSON text into Dates. */
const MEMBER_DATES = [
  'emailConfirmedAt',
  'createdAt',
  'lastActiveAt',
  'inactivityWarnedAt',
  'sessionsValidAfter',
  'erasedAt',
] as const satisfies readonly DateField[];
// Every timestamp of Member is in the list: a new one fails type-checking until it is added.
everyListed<Exclude<DateField, (typeof MEMBER_DATES)[number]>>();
function everyListed<Missing extends never>(): Missing | void {}

const statements = new WeakMap<Registry, string>();

// The member's columns by name, as this version of the schema knows them (not m.*): a running
// process's statement gives the member it expects when a later migration adds a column. The facts
// are computed only for a member who is there.
function sessionStatement(registry: Registry): string {
  let sql = statements.get(registry);
  if (!sql) {
    const columns: string[] = Object.values(Prisma.MemberScalarFieldEnum);
    const member = columns.map((field) => `'${field}', m."${field}"`).join(', ');
    const facts = Object.entries(registry.memberFacts)
      .map(([name, expression]) => `'${name}', (${expression})`)
      .join(', ');
    const present = 'm.id IS NOT NULL AND m."erasedAt" IS NULL';
    sql = `SELECT s.data AS "sessionData", s."expiresAt" AS "sessionExpiresAt",
  CASE WHEN ${present} THEN json_build_object(${member}) END AS "member",
  CASE WHEN ${present} THEN json_build_object(${facts}) END AS "facts"
  FROM "Session" s LEFT JOIN "Member" m ON m.id = s."memberId" WHERE s.sid = $1`;
    statements.set(registry, sql);
  }
  return sql;
}

/** The member behind a session, if the account still exists (not erased). */
export async function sessionMember(deps: Deps, id: string): Promise<Member | null> {
  const member = await deps.db.member.findUnique({ where: { id } });
  return member && !member.erasedAt ? member : null;
}

/** lastActiveAt drives the inactivity retention; written once a day at most. */
export function touchActivity(deps: Deps, member: Member): Promise<void> | undefined {
  const now = deps.clock.now();
  if (now.getTime() - member.lastActiveAt.getTime() <= 24 * 3600 * 1000) return undefined;
  return deps.db.member.update({ where: { id: member.id }, data: { lastActiveAt: now, inactivityWarnedAt: null } }).then(() => undefined);
}

export async function isActiveMember(deps: Deps, id: string): Promise<boolean> {
  const m = await deps.db.member.findUnique({ where: { id }, select: { erasedAt: true } });
  return !!m && !m.erasedAt;
}

export async function findMember(deps: Deps, id: string): Promise<Member | null> {
  return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(id) ? deps.db.member.findUnique({ where: { id } }) : null;
}

export async function findMemberByNumber(deps: Deps, number: number): Promise<Member | null> {
  return deps.db.member.findUnique({ where: { number } });
}

/** Admin search: by member number or exact e-mail address (as parsed by the admin's search form). */
export async function searchMembers(deps: Deps, where: { number: number } | { email: string }): Promise<Member[]> {
  return deps.db.member.findMany({ where, take: 20 });
}

export async function staffMembers(deps: Deps): Promise<Member[]> {
  return deps.db.member.findMany({ where: { role: { in: ['STAFF', 'ACCOUNTANT', 'ADMIN'] }, erasedAt: null }, orderBy: { number: 'asc' }, take: 500 });
}

/** A new role; the member's sessions end, so the new role applies from their next login. */
export async function changeRole(deps: Deps, adminId: string, member: Member, role: Role): Promise<void> {
  if (member.erasedAt) throw new ConflictError('Ce compte a été effacé.', 'role');
  if (member.id === adminId && role !== 'ADMIN') throw new ValidationError('Vous ne pouvez pas retirer votre propre rôle d’administrateur.', 'role');
  const now = deps.clock.now();
  await deps.db.$transaction(async (tx) => {
    await tx.member.update({ where: { id: member.id }, data: { role, sessionsValidAfter: now } });
    await tx.session.deleteMany({ where: { memberId: member.id } });
    await audit(tx, 'role.changed', { at: now, actor: adminId, subject: member.id, details: { from: member.role, to: role } });
  });
}

/**
 * Why the member cannot delete their account now (a module's veto: an order awaiting payment or
 * delivery), or null. The remaining credit is not a reason: the deletion page asks to give it up.
 */
export function ownAccountDeletionVeto(deps: Deps, memberId: string): Promise<string | null> {
  return erasureVeto(deps, memberId, { forfeitConfirmed: true });
}

/**
 * The member deletes their own account: password confirmed, remaining credit explicitly given up;
 * a module's veto (an order awaiting shipment) is reported as a ConflictError.
 */
export async function deleteOwnAccount(deps: Deps, member: Member, password: string, confirmForfeit: boolean): Promise<void> {
  await checkPassword(deps, member, password);
  if ((await balanceOf(deps.db, member.id)) > 0 && !confirmForfeit) {
    throw new ValidationError('Cochez la case pour confirmer que vous renoncez à votre crédit restant.', 'confirmForfeit');
  }
  await eraseMember(deps, member.id, { reason: 'self', actorId: member.id, forfeitConfirmed: confirmForfeit });
}

// Member accounts: registration, confirmation, login, password reset, profile changes.
import type { Deps } from '../deps.ts';
import type { Member } from '../generated/prisma/client.ts';
import { ConflictError, TooManyRequestsError, ValidationError } from '../http/errors.ts';
import { LIMITS, hit, refund } from '../http/rate-limit.ts';
import { admitLoginAttempt, loginSucceeded } from './login-throttle.ts';
import { audit } from '../privacy/audit.ts';
import { POLICY_VERSION } from '../privacy/policy.ts';
import { consumeToken, hashToken, issueToken } from './tokens.ts';
import { dummyHash, hashPassword, verifyPassword } from './password.ts';
import { mails, queueMail } from './emails.ts';
import { enqueue } from '../jobs/queue.ts';
import type { Prisma } from '../generated/prisma/client.ts';
import type { z } from 'zod';
import type { ContactSchema, RegisterSchema } from './schema.ts';

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
  return deps.db.$transaction(async (tx) => {
    const existing = await tx.member.findUnique({ where: { email: input.email } });
    if (existing) {
      const m = mails.alreadyRegistered(deps);
      await queueMail(tx, existing.id, input.email, m.subject, m.text);
      return null;
    }
    const member = await tx.member.create({
      data: { email: input.email, passwordHash, newsletterOptIn: input.newsletter, lastActiveAt: now, createdAt: now, ...contactData(input) },
    });
    await tx.consent.create({ data: { memberId: member.id, kind: 'terms-and-privacy', policyVersion: POLICY_VERSION, givenAt: now } });
    if (input.newsletter) {
      await tx.consent.create({ data: { memberId: member.id, kind: 'newsletter', policyVersion: POLICY_VERSION, givenAt: now } });
    }
    const token = await issueToken(tx, member.id, 'CONFIRM_EMAIL', now, input.email);
    const m = mails.confirm(deps, input.firstName, token);
    await queueMail(tx, member.id, input.email, m.subject, m.text);
    await audit(tx, 'member.registered', { subject: member.id });
    return member.id;
  });
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
      await audit(tx, 'email.changed', { subject: member.id });
      if (member.email && member.emailConfirmedAt) {
        const m = mails.emailChanged();
        await queueMail(tx, member.id, member.email, m.subject, m.text);
      }
    }
    await tx.member.update({ where: { id: member.id }, data: { email: row.email, emailConfirmedAt: now } });
    return true;
  });
}

export async function resendConfirmation(deps: Deps, member: Member): Promise<void> {
  if (member.emailConfirmedAt || !member.email) return;
  await mailAllowance(deps, member);
  await deps.db.$transaction(async (tx) => {
    const token = await issueToken(tx, member.id, 'CONFIRM_EMAIL', deps.clock.now(), member.email!);
    const m = mails.confirm(deps, member.firstName ?? '', token);
    await queueMail(tx, member.id, member.email!, m.subject, m.text);
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
  const ok = await verifyPassword(member?.passwordHash ?? (await dummyHash()), password);
  if (!member || !ok || member.erasedAt) {
    await audit(deps.db, 'login.failed', { subject: member?.id ?? null });
    throw new ValidationError(LOGIN_FAILED);
  }
  await loginSucceeded(deps, email, ip);
  await deps.db.member.update({ where: { id: member.id }, data: { lastActiveAt: deps.clock.now(), inactivityWarnedAt: null } });
  await audit(deps.db, 'login.succeeded', { subject: member.id });
  return member;
}

/**
 * Queues the reset for any address: the lookup happens in the background job, so the answer
 * takes the same time whether an account exists or not.
 */
export async function requestPasswordReset(deps: Deps, email: string): Promise<void> {
  await enqueue(deps.db, { kind: 'password-reset', payload: { email } });
}

/** The background half of a reset request: a link for an existing account, nothing otherwise. */
export async function sendPasswordReset(deps: Deps, email: string): Promise<void> {
  const member = await deps.db.member.findUnique({ where: { email } });
  if (!member || member.erasedAt) return;
  await deps.db.$transaction(async (tx) => {
    const token = await issueToken(tx, member.id, 'RESET_PASSWORD', deps.clock.now());
    const m = mails.reset(deps, token);
    await queueMail(tx, member.id, email, m.subject, m.text);
  });
}

export async function isResetTokenValid(deps: Deps, token: string): Promise<boolean> {
  const row = await deps.db.memberToken.findUnique({ where: { tokenHash: hashToken(token) } });
  return !!row && row.purpose === 'RESET_PASSWORD' && !row.usedAt && row.expiresAt > deps.clock.now();
}

/** Sets a new password from a reset link and closes every session of the member; returns the member's id, or null for a bad link. */
export async function resetPassword(deps: Deps, token: string, password: string): Promise<string | null> {
  const passwordHash = await hashPassword(password);
  return deps.db.$transaction(async (tx) => {
    const row = await consumeToken(tx, token, 'RESET_PASSWORD', deps.clock.now());
    if (!row) return null;
    const member = await tx.member.update({ where: { id: row.memberId }, data: { passwordHash, sessionsValidAfter: new Date() } });
    await tx.session.deleteMany({ where: { memberId: member.id } });
    await dropPendingEmailChanges(tx, member);
    await audit(tx, 'password.reset', { subject: member.id });
    const m = mails.passwordChanged();
    if (member.email) await queueMail(tx, member.id, member.email, m.subject, m.text);
    return member.id;
  });
}

/** Subscribes or unsubscribes; the consent record keeps the date it was given and withdrawn. */
export async function setNewsletter(deps: Deps, member: Member, on: boolean): Promise<void> {
  if (member.newsletterOptIn === on) return;
  const now = deps.clock.now();
  await deps.db.$transaction(async (tx) => {
    await tx.member.update({ where: { id: member.id }, data: { newsletterOptIn: on } });
    if (on) {
      await tx.consent.create({ data: { memberId: member.id, kind: 'newsletter', policyVersion: POLICY_VERSION, givenAt: now } });
    } else {
      await tx.consent.updateMany({ where: { memberId: member.id, kind: 'newsletter', withdrawnAt: null }, data: { withdrawnAt: now } });
    }
  });
}

export async function updateContact(deps: Deps, memberId: string, input: ContactInput): Promise<void> {
  await deps.db.member.update({ where: { id: memberId }, data: contactData(input) });
}

/**
 * A change of password ends any pending change of e-mail address: someone who had the account
 * before (or pre-registered the address) cannot confirm their own address afterwards.
 */
async function dropPendingEmailChanges(tx: Prisma.TransactionClient, member: Member): Promise<void> {
  await tx.memberToken.deleteMany({ where: { memberId: member.id, purpose: 'CONFIRM_EMAIL', NOT: { email: member.email } } });
}

/** Confirms a logged-in member's password before a sensitive change; 5 wrong tries per 15 minutes. */
async function checkPassword(deps: Deps, member: Member, password: string): Promise<void> {
  if (!(await hit(deps, LIMITS.passwordCheck, member.id))) {
    throw new TooManyRequestsError('Trop de mots de passe erronés. Réessayez dans 15 minutes.');
  }
  if (!(await verifyPassword(member.passwordHash, password))) {
    throw new ValidationError('Mot de passe actuel incorrect.');
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
  await deps.db.$transaction(async (tx) => {
    const token = await issueToken(tx, member.id, 'CONFIRM_EMAIL', deps.clock.now(), email);
    const m = mails.confirm(deps, member.firstName ?? '', token);
    await queueMail(tx, member.id, email, m.subject, m.text);
  });
}

/** Changes the password and closes the member's other sessions. */
export async function changePassword(deps: Deps, member: Member, current: string, next: string, keepSid: string): Promise<void> {
  await checkPassword(deps, member, current);
  const passwordHash = await hashPassword(next);
  await deps.db.$transaction(async (tx) => {
    await tx.member.update({ where: { id: member.id }, data: { passwordHash, sessionsValidAfter: new Date() } });
    await tx.session.deleteMany({ where: { memberId: member.id, sid: { not: keepSid } } });
    await dropPendingEmailChanges(tx, member);
    await audit(tx, 'password.changed', { actor: member.id, subject: member.id });
    const m = mails.passwordChanged();
    if (member.email) await queueMail(tx, member.id, member.email, m.subject, m.text);
  });
}

export { checkPassword };

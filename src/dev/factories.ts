// Builders shared by the tests and the demo seed; they go through the app's own services.
import type { Deps } from '../deps.ts';
import type { Role } from '../generated/prisma/client.ts';
import { registerMember } from '../accounts/service.ts';
import type { RegisterInput } from '../accounts/service.ts';
import { createBatch, issueCodes } from '../coupons/service.ts';
import type { BatchInput } from '../coupons/service.ts';

let seq = 0;

export function memberInput(overrides: Partial<RegisterInput> = {}): RegisterInput {
  seq++;
  return {
    email: `membre${seq}-${process.pid}@exemple.fr`,
    password: 'une phrase de passe solide',
    firstName: 'Camille',
    lastName: 'Martin',
    addressLine1: '12 rue des Lilas',
    addressLine2: null,
    postcode: '69003',
    city: 'Lyon',
    country: 'FR',
    phone: null,
    newsletter: false,
    acceptTerms: true,
    ...overrides,
  };
}

/** Registers a member through the registration service, then confirms and promotes as asked. */
export async function createMember(
  deps: Deps,
  overrides: Partial<RegisterInput> = {},
  opts: { role?: Role; confirmed?: boolean } = {},
) {
  const input = memberInput(overrides);
  const id = await registerMember(deps, input);
  if (!id) throw new Error(`member ${input.email} already exists`);
  const now = deps.clock.now();
  const member = await deps.db.member.update({
    where: { id },
    data: {
      role: opts.role ?? 'MEMBER',
      emailConfirmedAt: opts.confirmed === false ? null : now,
    },
  });
  // Confirmed as if by its link: the registration's link is then used, as "Mes données" says.
  if (opts.confirmed !== false) await deps.db.memberToken.updateMany({ where: { memberId: id, purpose: 'CONFIRM_EMAIL', usedAt: null }, data: { usedAt: now } });
  return { member, password: input.password, email: input.email };
}

export function batchInput(deps: Deps, overrides: Partial<BatchInput> = {}): BatchInput {
  const now = deps.clock.now().getTime();
  return {
    label: 'Magazine Petites Stars — décembre',
    valueCents: 500,
    quantity: 10,
    validFrom: new Date(now - 24 * 3600_000),
    validUntil: new Date(now + 90 * 24 * 3600_000),
    perMemberLimit: null,
    ...overrides,
  };
}

/** Creates a batch and issues its codes; returns the batch and the plain codes. */
export async function createBatchWithCodes(deps: Deps, staffId: string, overrides: Partial<BatchInput> = {}) {
  const batch = await createBatch(deps, staffId, batchInput(deps, overrides));
  const codes = await issueCodes(deps, staffId, batch.id);
  return { batch, codes };
}

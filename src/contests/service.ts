// Contests (DESIGN §6): commitment at opening, frozen list at closing, verifiable draw, claims,
// redraws and shipping. Every instant comes from deps.clock; the only randomness is
// crypto.randomBytes (the seed) and the entries' random public ids.
import { randomBytes } from 'node:crypto';
import type { Deps } from '../deps.ts';
import type { Contest, Prisma } from '../generated/prisma/client.ts';
import { ConflictError, ForbiddenError, isUniqueViolation, NotFoundError, ValidationError } from '../core/errors.ts';
import { auditWith } from '../audit/service.ts';
import { lockMember } from '../credit/ledger.ts';
import { queueMail, SIGNATURE } from '../mail/outbox.ts';
import { enqueue } from '../jobs/queue.ts';
import { postEntry } from '../accounting/journal.ts';
import { formatDate } from '../core/dates.ts';
import { ALGORITHM, draw, entryList, listHashOf, seedHashOf, sha256Hex } from './draw.ts';
import { newContestPublicId, newEntryPublicId } from './ids.ts';
import { checkPdf, pictureValue, writeRules } from './files.ts';
import { monthsBefore, RETENTION_MONTHS } from './retention.ts';
import { storeImage } from '../shop/images.ts';

type Tx = Prisma.TransactionClient;
const DAY = 24 * 3600_000;

export const CONTESTS_AUDIT = {
  'contest.created': 'Concours créé',
  'contest.updated': 'Concours modifié',
  'contest.published': 'Concours publié (engagement de la graine)',
  'contest.closed': 'Concours clos (liste figée)',
  'contest.drawn': 'Tirage au sort effectué',
  'contest.redrawn': 'Gagnant remplacé par le suppléant suivant',
  'contest.addresses-viewed': 'Adresses des gagnants consultées',
  'contest.shipped': 'Lot expédié',
  'contest.entrants-exported': 'Liste des participations exportée',
  'contest.rules-set': 'Règlement (PDF) du concours déposé',
  'contest.picture-set': 'Image d’un lot déposée',
} as const;
const audit = auditWith(CONTESTS_AUDIT);

export const STATUS_LABELS: Record<string, string> = {
  DRAFT: 'Brouillon', OPEN: 'Ouvert', CLOSED: 'Clos, tirage à venir', DRAWN: 'Tirage effectué', ARCHIVED: 'Archivé',
};
export const RANK_STATUS_LABELS: Record<string, string> = {
  WAITING: 'Suppléant', NOTIFIED: 'Prévenu, adresse à confirmer', CONFIRMED: 'Adresse confirmée', SHIPPED: 'Lot expédié', REPLACED: 'Remplacé',
};

export interface ContestInput {
  title: string;
  description: string;
  question: string | null;
  opensAt: Date;
  closesAt: Date;
  drawAt: Date;
  reserves: number;
  claimDays: number;
}
export interface PrizeInput {
  name: string;
  quantity: number;
  unitCostCents: number;
}

function slugify(title: string): string {
  const s = title
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 60);
  return s || 'concours';
}

const winnersOf = (prizes: { quantity: number }[]): number => prizes.reduce((n, p) => n + p.quantity, 0);

// ---------------------------------------------------------------- staff: lifecycle

export async function createContest(deps: Deps, staffId: string, input: ContestInput): Promise<Contest> {
  const now = deps.clock.now();
  const base = slugify(input.title);
  return deps.db.$transaction(async (tx) => {
    let slug = base;
    for (let i = 2; await tx.contest.findUnique({ where: { slug }, select: { id: true } }); i++) slug = `${base}-${i}`;
    const contest = await tx.contest.create({ data: { ...input, slug, publicId: newContestPublicId(), createdAt: now, updatedAt: now } });
    await audit(tx, 'contest.created', { at: now, actor: staffId, details: { id: contest.id } });
    return contest;
  });
}

async function lockContest(tx: Tx, id: string): Promise<Contest> {
  await tx.$queryRaw`SELECT id FROM "Contest" WHERE id = ${id}::uuid FOR UPDATE`;
  const c = await tx.contest.findUnique({ where: { id } });
  if (!c) throw new NotFoundError('Concours introuvable.');
  return c;
}

export async function updateContest(deps: Deps, staffId: string, id: string, input: ContestInput): Promise<Contest> {
  const now = deps.clock.now();
  return deps.db.$transaction(async (tx) => {
    const c = await lockContest(tx, id);
    if (c.status !== 'DRAFT') {
      // Once published, only the wording may change: dates, question and reserves are part of the rules.
      const same = c.opensAt.getTime() === input.opensAt.getTime() && c.closesAt.getTime() === input.closesAt.getTime() &&
        c.drawAt.getTime() === input.drawAt.getTime() && c.reserves === input.reserves && (c.question ?? null) === input.question && c.claimDays === input.claimDays;
      if (!same) throw new ConflictError('Ce concours est publié : seuls le titre et la description peuvent encore changer.');
    }
    const updated = await tx.contest.update({ where: { id }, data: { title: input.title, description: input.description, ...(c.status === 'DRAFT' ? input : {}), updatedAt: now } });
    await audit(tx, 'contest.updated', { at: now, actor: staffId, details: { id } });
    return updated;
  });
}

export async function addPrize(deps: Deps, staffId: string, contestId: string, input: PrizeInput) {
  const now = deps.clock.now();
  return deps.db.$transaction(async (tx) => {
    const c = await lockContest(tx, contestId);
    if (c.status !== 'DRAFT') throw new ConflictError('Les lots ne peuvent plus changer une fois le concours publié.');
    const position = await tx.contestPrize.count({ where: { contestId } });
    const prize = await tx.contestPrize.create({ data: { ...input, contestId, position, createdAt: now } });
    await audit(tx, 'contest.updated', { at: now, actor: staffId, details: { id: contestId } });
    return prize;
  });
}

export async function removePrize(deps: Deps, staffId: string, contestId: string, prizeId: string) {
  const now = deps.clock.now();
  await deps.db.$transaction(async (tx) => {
    const c = await lockContest(tx, contestId);
    if (c.status !== 'DRAFT') throw new ConflictError('Les lots ne peuvent plus changer une fois le concours publié.');
    const gone = await tx.contestPrize.deleteMany({ where: { id: prizeId, contestId } });
    if (gone.count !== 1) throw new NotFoundError('Lot introuvable.');
    await audit(tx, 'contest.updated', { at: now, actor: staffId, details: { id: contestId } });
  });
}

const FROZEN_RULES = 'Le règlement ne peut plus changer une fois le concours publié : il fait partie de l’engagement pris envers les participants.';

/**
 * Attaches the rules PDF to a draft (decision 0070): checked by content, stored under a
 * content-hashed name. Refused once published: the rules are part of the commitment.
 */
export async function setRules(deps: Deps, staffId: string, contestId: string, file: { data: Buffer; truncated: boolean } | undefined) {
  checkPdf(file?.data ?? Buffer.alloc(0), file?.truncated ?? false);
  const now = deps.clock.now();
  return deps.db.$transaction(async (tx) => {
    const c = await lockContest(tx, contestId);
    if (c.status !== 'DRAFT') throw new ConflictError(FROZEN_RULES, 'rules');
    const name = await writeRules(deps.config, c.publicId, file!.data);
    await tx.contest.update({ where: { id: contestId }, data: { rulesFile: name, updatedAt: now } });
    await audit(tx, 'contest.rules-set', { at: now, actor: staffId, details: { id: contestId, file: name } });
    return name;
  });
}

/** A prize's picture, through the catalogue's image pipeline; like the prize itself, frozen once published. */
export async function setPrizePicture(deps: Deps, staffId: string, contestId: string, prizeId: string, file: { data: Buffer; truncated: boolean } | undefined) {
  const prize = await deps.db.contestPrize.findFirst({ where: { id: prizeId, contestId }, select: { id: true } });
  if (!prize) throw new NotFoundError('Lot introuvable.');
  if (!file || file.data.length === 0) throw new ValidationError('Image : choisissez un fichier.', 'image');
  if (file.truncated) throw new ValidationError('Image : le fichier dépasse 5 Mo.', 'image');
  const current = await deps.db.contest.findUnique({ where: { id: contestId }, select: { status: true } });
  if (current?.status !== 'DRAFT') throw new ConflictError('Les lots ne peuvent plus changer une fois le concours publié.', 'image');
  const stored = await storeImage(deps.config, `contest-prize:${prizeId}`, file.data);
  const now = deps.clock.now();
  await deps.db.$transaction(async (tx) => {
    const c = await lockContest(tx, contestId);
    if (c.status !== 'DRAFT') throw new ConflictError('Les lots ne peuvent plus changer une fois le concours publié.', 'image');
    await tx.contestPrize.update({ where: { id: prizeId }, data: { pictureFile: pictureValue(stored) } });
    await audit(tx, 'contest.picture-set', { at: now, actor: staffId, details: { id: contestId, prizeId } });
  });
  return stored;
}

/** The public rules file of a published contest (404 for a draft or a contest without rules). */
export async function publicRules(deps: Deps, slug: string): Promise<string> {
  const c = await contestBySlug(deps, slug);
  if (!c.rulesFile) throw new NotFoundError('Ce concours n’a pas de règlement en PDF.');
  return c.rulesFile;
}

/** Publishes a draft: the secret seed is drawn now and only its SHA-256 is shown until the draw. */
export async function publishContest(deps: Deps, staffId: string, id: string): Promise<Contest> {
  const now = deps.clock.now();
  return deps.db.$transaction(async (tx) => {
    const c = await lockContest(tx, id);
    if (c.status !== 'DRAFT') throw new ConflictError('Ce concours est déjà publié.');
    const prizes = await tx.contestPrize.count({ where: { contestId: id } });
    if (prizes === 0) throw new ValidationError('Ajoutez au moins un lot avant de publier le concours.');
    if (!(c.opensAt < c.closesAt && c.closesAt <= c.drawAt)) throw new ValidationError('Les dates doivent se suivre : ouverture, clôture, tirage.');
    if (c.closesAt <= now) throw new ValidationError('La date de clôture est déjà passée.');
    const seed = randomBytes(32).toString('hex');
    const updated = await tx.contest.update({ where: { id }, data: { status: 'OPEN', seed, seedHash: seedHashOf(seed), algorithm: ALGORITHM, openedAt: now, updatedAt: now } });
    // The worker closes it at its closing date (the daily job catches any missed one).
    await enqueue(tx, { kind: 'contest-close', payload: { contestId: id }, at: now, runAt: c.closesAt, uniqueKey: `contest-close:${id}` });
    await audit(tx, 'contest.published', { at: now, actor: staffId, details: { id } });
    return updated;
  });
}

/** Freezes the list: its SHA-256 and the count are published. By hand, or by the daily job at the closing date. */
export async function closeContest(deps: Deps, staffId: string | null, id: string): Promise<Contest> {
  const now = deps.clock.now();
  return deps.db.$transaction(async (tx) => {
    const c = await lockContest(tx, id);
    if (c.status !== 'OPEN') throw new ConflictError('Seul un concours ouvert peut être clos.');
    const entries = await tx.contestEntry.findMany({ where: { contestId: id }, select: { publicId: true } });
    const ids = entries.map((e) => e.publicId);
    const updated = await tx.contest.update({
      where: { id },
      data: { status: 'CLOSED', listHash: listHashOf(ids), entryCount: ids.length, closedAt: now, updatedAt: now, closesAt: c.closesAt > now ? now : c.closesAt },
    });
    await audit(tx, 'contest.closed', { at: now, actor: staffId, details: { id, count: ids.length } });
    return updated;
  });
}

/** The daily job (and the worker at any time): closes every open contest past its closing date. */
export async function closeDueContests(deps: Deps): Promise<number> {
  const now = deps.clock.now();
  const due = await deps.db.contest.findMany({ where: { status: 'OPEN', closesAt: { lte: now } }, select: { id: true } });
  let n = 0;
  for (const c of due) {
    try {
      await closeContest(deps, null, c.id);
      n++;
    } catch (err) {
      if (!(err instanceof ConflictError)) throw err;
    }
  }
  return n;
}

/** Runs the draw (algorithm 1) over the frozen list; winners are e-mailed with the claim link. */
export async function drawContest(deps: Deps, staffId: string, id: string): Promise<Contest> {
  const now = deps.clock.now();
  return deps.db.$transaction(
    async (tx) => {
      const c = await lockContest(tx, id);
      if (c.status !== 'CLOSED') throw new ConflictError('Le tirage se fait une seule fois, sur un concours clos.');
      if (now < c.drawAt) throw new ConflictError(`Le tirage est prévu le ${formatDate(c.drawAt)} : il ne peut pas avoir lieu avant.`);
      // Past this, retention has unlinked (or is about to unlink) the entries from their members.
      if (c.drawAt < monthsBefore(now, RETENTION_MONTHS)) {
        throw new ConflictError(
          `Le tirage était prévu le ${formatDate(c.drawAt)} : plus de ${RETENTION_MONTHS} mois ont passé, les participations ne sont plus reliées à leurs auteurs (politique de confidentialité) et le tirage n’est plus possible.`,
        );
      }
      const entries = await tx.contestEntry.findMany({ where: { contestId: id }, select: { id: true, publicId: true, memberId: true } });
      const ids = entries.map((e) => e.publicId);
      if (listHashOf(ids) !== c.listHash) throw new Error(`contest ${id}: the frozen list changed after the close`);
      const prizes = await tx.contestPrize.findMany({ where: { contestId: id }, orderBy: { position: 'asc' } });
      const prizeSlots = prizes.flatMap((p) => Array.from({ length: p.quantity }, () => p.id));
      const result = draw({ contestId: c.publicId, seedHex: c.seed!, entries: ids, winners: prizeSlots.length, reserves: c.reserves });
      const byPublic = new Map(entries.map((e) => [e.publicId, e]));
      const deadline = new Date(now.getTime() + c.claimDays * DAY);
      for (const [i, publicId] of result.ranking.entries()) {
        const entry = byPublic.get(publicId)!;
        const winner = i < prizeSlots.length;
        // Only a winner is e-mailed now: a reserve's member is read when promoted (redraw).
        const member = winner && entry.memberId ? await tx.member.findUnique({ where: { id: entry.memberId } }) : null;
        await tx.contestRank.create({
          data: {
            contestId: id, rank: i + 1, entryId: entry.id, role: winner ? 'WINNER' : 'RESERVE', status: winner ? 'NOTIFIED' : 'WAITING',
            prizeId: winner ? prizeSlots[i]! : null,
            ...(winner ? { claimDeadline: deadline, notifiedAt: now } : {}),
          },
        });
        if (winner && member?.email && !member.erasedAt) await notifyWinner(deps, tx, now, c, member, deadline);
      }
      const updated = await tx.contest.update({ where: { id }, data: { status: 'DRAWN', drawnAt: now, updatedAt: now } });
      await audit(tx, 'contest.drawn', { at: now, actor: staffId, details: { id, count: result.ranking.length } });
      return updated;
    },
    { timeout: 60_000 },
  );
}

async function notifyWinner(deps: Deps, tx: Tx, now: Date, c: Contest, member: { id: string; email: string | null; firstName: string | null }, deadline: Date) {
  await queueMail(tx, now, member.id, member.email!, {
    subject: `Vous avez gagné : ${c.title}`,
    text:
      `Bonjour ${member.firstName ?? ''},\n\nVous faites partie des gagnants du concours « ${c.title} ».\n` +
      `Pour recevoir votre lot, confirmez votre adresse de livraison avant le ${formatDate(deadline)} :\n` +
      `${deps.config.publicUrl}/compte/concours\n\nSans confirmation à cette date, le lot sera attribué au suppléant suivant.` + SIGNATURE,
  });
}

/**
 * Replaces a winner (ineligible, or silent after the claim deadline) by the next reserve not yet
 * promoted: no new randomness, nobody wins twice (a rank is promoted once; ranks are distinct entries).
 */
export async function redraw(deps: Deps, staffId: string, contestId: string, rankId: string, reason: string) {
  const now = deps.clock.now();
  return deps.db.$transaction(async (tx) => {
    const c = await lockContest(tx, contestId);
    if (c.status !== 'DRAWN') throw new ConflictError('Le tirage n’a pas encore eu lieu.');
    const rank = await tx.contestRank.findFirst({ where: { id: rankId, contestId } });
    if (!rank || rank.prizeId === null) throw new NotFoundError('Gagnant introuvable.');
    if (rank.status === 'REPLACED' || rank.status === 'SHIPPED') throw new ConflictError('Ce gagnant a déjà été remplacé ou son lot expédié.');
    const next = await tx.contestRank.findFirst({ where: { contestId, role: 'RESERVE', status: 'WAITING' }, orderBy: { rank: 'asc' } });
    await tx.contestRank.update({ where: { id: rank.id }, data: { status: 'REPLACED', replacedAt: now, replacedReason: reason, replacedById: staffId } });
    let promoted: number | null = null;
    if (next) {
      const deadline = new Date(now.getTime() + c.claimDays * DAY);
      await tx.contestRank.update({ where: { id: next.id }, data: { status: 'NOTIFIED', prizeId: rank.prizeId, promotedAt: now, notifiedAt: now, claimDeadline: deadline } });
      const entry = await tx.contestEntry.findUniqueOrThrow({ where: { id: next.entryId } });
      const member = entry.memberId ? await tx.member.findUnique({ where: { id: entry.memberId } }) : null;
      if (member?.email && !member.erasedAt) await notifyWinner(deps, tx, now, c, member, deadline);
      promoted = next.rank;
    }
    // Ranks only: the reason is free text about the winner, kept on the rank (erasable), never in the journal.
    await audit(tx, 'contest.redrawn', { at: now, actor: staffId, details: { id: contestId, rank: rank.rank, ...(promoted ? { promotedRank: promoted } : {}) } });
    return { promotedRank: promoted };
  });
}

/** Archives a drawn contest: it leaves the staff's working list; its results stay public. */
export async function archiveContest(deps: Deps, staffId: string, id: string): Promise<Contest> {
  const now = deps.clock.now();
  return deps.db.$transaction(async (tx) => {
    const c = await lockContest(tx, id);
    if (c.status !== 'DRAWN') throw new ConflictError('Seul un concours tiré au sort peut être archivé.');
    const pending = await tx.contestRank.count({ where: { contestId: id, status: { in: ['NOTIFIED', 'CONFIRMED'] } } });
    if (pending > 0) throw new ConflictError('Des lots restent à confirmer ou à expédier : remplacez ou expédiez-les avant d’archiver.');
    const updated = await tx.contest.update({ where: { id }, data: { status: 'ARCHIVED', updatedAt: now } });
    await audit(tx, 'contest.updated', { at: now, actor: staffId, details: { id } });
    return updated;
  });
}

// ---------------------------------------------------------------- members

export class EntryError extends ConflictError {}

/** One click: the entry is refused outside the opening period, to staff and unconfirmed accounts, and twice (unique index). */
export async function enterContest(deps: Deps, member: { id: string; role: string; emailConfirmedAt: Date | null }, slug: string, answer: string | null) {
  const now = deps.clock.now();
  if (member.role !== 'MEMBER') throw new ForbiddenError('Les membres de l’équipe ne peuvent pas participer aux concours.');
  if (!member.emailConfirmedAt) throw new EntryError('Confirmez d’abord votre adresse électronique (lien reçu par courriel) pour participer.');
  try {
    return await deps.db.$transaction(async (tx) => {
      await lockMember(tx, member.id); // nothing written for an account being erased
      const [c] = await tx.$queryRaw<{ id: string; status: string; opensAt: Date; closesAt: Date; question: string | null }[]>`
        SELECT id, status::text AS status, "opensAt", "closesAt", question FROM "Contest" WHERE slug = ${slug} FOR SHARE`;
      if (!c) throw new NotFoundError('Concours introuvable.');
      if (c.status !== 'OPEN' || now < c.opensAt || now >= c.closesAt) throw new EntryError('Ce concours n’est pas ouvert aux participations.');
      const existing = await tx.contestEntry.findFirst({ where: { contestId: c.id, memberId: member.id }, select: { publicId: true } });
      if (existing) throw new EntryError(`Vous participez déjà à ce concours (reçu ${existing.publicId}).`);
      return tx.contestEntry.create({
        data: { contestId: c.id, memberId: member.id, publicId: newEntryPublicId(), answer: c.question ? answer : null, createdAt: now },
      });
    });
  } catch (err) {
    if (isUniqueViolation(err)) throw new EntryError('Vous participez déjà à ce concours.');
    throw err;
  }
}

export async function memberEntries(deps: Deps, memberId: string) {
  const entries = await deps.db.contestEntry.findMany({
    where: { memberId },
    orderBy: { createdAt: 'desc' },
    include: { contest: { select: { slug: true, title: true, status: true, drawAt: true } }, ranks: true },
  });
  return entries;
}

const ShipFields = ['shipName', 'shipLine1', 'shipLine2', 'shipPostcode', 'shipCity', 'shipCountry'] as const;
export interface AddressInput { shipName: string; shipLine1: string; shipLine2: string | null; shipPostcode: string; shipCity: string; shipCountry: string }

/** The winner confirms where to send the prize, before the claim deadline; only their own rank. */
export async function confirmAddress(deps: Deps, memberId: string, rankId: string, input: AddressInput) {
  const now = deps.clock.now();
  return deps.db.$transaction(async (tx) => {
    await lockMember(tx, memberId);
    const rank = await tx.contestRank.findFirst({ where: { id: rankId, entry: { memberId } } });
    if (!rank) throw new NotFoundError('Gain introuvable.');
    if (rank.status !== 'NOTIFIED' && rank.status !== 'CONFIRMED') throw new ConflictError('Ce gain ne peut plus être confirmé.');
    if (rank.claimDeadline && now > rank.claimDeadline) throw new ConflictError('La date limite de confirmation est passée.');
    await tx.contestRank.update({ where: { id: rank.id }, data: { ...input, status: 'CONFIRMED', confirmedAt: now } });
  });
}

export async function claimOf(deps: Deps, memberId: string, rankId: string) {
  const rank = await deps.db.contestRank.findFirst({ where: { id: rankId, entry: { memberId } }, include: { contest: true } });
  if (!rank) throw new NotFoundError('Gain introuvable.');
  const member = await deps.db.member.findUniqueOrThrow({ where: { id: memberId } });
  const prize = rank.prizeId ? await deps.db.contestPrize.findUnique({ where: { id: rank.prizeId } }) : null;
  const prefill: Record<string, string> = rank.confirmedAt
    ? Object.fromEntries(ShipFields.map((f) => [f, rank[f] ?? '']))
    : {
        shipName: [member.firstName, member.lastName].filter(Boolean).join(' '), shipLine1: member.addressLine1 ?? '', shipLine2: member.addressLine2 ?? '',
        shipPostcode: member.postcode ?? '', shipCity: member.city ?? '', shipCountry: member.country ?? 'FR',
      };
  return { rank, prize, prefill };
}

// ---------------------------------------------------------------- public

export async function publicContests(deps: Deps) {
  const now = deps.clock.now();
  const all = await deps.db.contest.findMany({
    where: { status: { in: ['OPEN', 'CLOSED', 'DRAWN', 'ARCHIVED'] } },
    orderBy: { closesAt: 'desc' },
    include: { prizes: { orderBy: { position: 'asc' } } },
  });
  return {
    open: all.filter((c) => c.status === 'OPEN' && c.opensAt <= now),
    upcoming: all.filter((c) => c.status === 'OPEN' && c.opensAt > now),
    past: all.filter((c) => c.status !== 'OPEN'),
  };
}

export async function contestBySlug(deps: Deps, slug: string) {
  const c = await deps.db.contest.findUnique({ where: { slug }, include: { prizes: { orderBy: { position: 'asc' } } } });
  if (!c || c.status === 'DRAFT') throw new NotFoundError('Concours introuvable.');
  return c;
}

/** The machine-readable draw: what anyone needs to recompute it. The seed only after the draw. */
export async function publishedDraw(deps: Deps, slug: string) {
  const c = await contestBySlug(deps, slug);
  const frozen = c.status !== 'OPEN';
  const entries = frozen ? (await deps.db.contestEntry.findMany({ where: { contestId: c.id }, select: { publicId: true } })).map((e) => e.publicId) : [];
  const drawn = c.status === 'DRAWN' || c.status === 'ARCHIVED';
  const ranks = drawn ? await deps.db.contestRank.findMany({ where: { contestId: c.id }, orderBy: { rank: 'asc' }, include: { entry: { select: { publicId: true } } } }) : [];
  const winners = winnersOf(c.prizes);
  return {
    contestId: c.publicId,
    slug: c.slug,
    title: c.title,
    algorithm: c.algorithm ?? ALGORITHM,
    seedHash: c.seedHash,
    listHash: frozen ? c.listHash : null,
    entryCount: frozen ? c.entryCount : null,
    entries: frozen ? entryList(entries).split('\n').filter(Boolean) : [],
    winners,
    reserves: c.reserves,
    ...(drawn ? { seed: c.seed, ranking: ranks.map((r) => r.entry.publicId) } : {}),
  };
}

/** A line of the public results: the rank, the receipt, the role and the prize; never a name (decision 0077). */
export interface PublicRank {
  rank: number;
  receipt: string;
  role: string;
  prizeName: string | null;
}

const publicRole = (r: { role: string; status: string; promotedAt: Date | null }): string => {
  const role = r.role === 'WINNER' ? 'Gagnant' : r.promotedAt ? 'Suppléant promu' : 'Suppléant';
  return r.status === 'REPLACED' ? `${role}, remplacé` : role;
};

/** The public results: only what the published ranking already says, plus the role and the prize. */
export async function results(deps: Deps, slug: string): Promise<{ contest: Awaited<ReturnType<typeof contestBySlug>>; ranks: PublicRank[] }> {
  const c = await contestBySlug(deps, slug);
  if (c.status !== 'DRAWN' && c.status !== 'ARCHIVED') throw new NotFoundError('Les résultats de ce concours ne sont pas encore publiés.');
  const ranks = await deps.db.contestRank.findMany({
    where: { contestId: c.id },
    orderBy: { rank: 'asc' },
    select: { rank: true, role: true, status: true, promotedAt: true, prizeId: true, entry: { select: { publicId: true } } },
  });
  const prizes = new Map(c.prizes.map((p) => [p.id, p.name]));
  return {
    contest: c,
    ranks: ranks.map((r) => ({
      rank: r.rank, receipt: r.entry.publicId, role: publicRole(r),
      // A replaced winner's prize went to the next reserve: it is shown on that line only.
      prizeName: r.status !== 'REPLACED' && r.prizeId ? prizes.get(r.prizeId) ?? null : null,
    })),
  };
}

/** The entry's public list as a text file: the exact bytes whose SHA-256 is listHash. */
export async function listFile(deps: Deps, slug: string): Promise<string> {
  const d = await publishedDraw(deps, slug);
  if (d.listHash === null) throw new NotFoundError('La liste n’est publiée qu’à la clôture du concours.');
  const text = d.entries.join('\n');
  if (sha256Hex(text) !== d.listHash) throw new Error('published list does not match its hash');
  return text;
}

// ---------------------------------------------------------------- staff views

export async function staffContests(deps: Deps) {
  return deps.db.contest.findMany({ orderBy: { createdAt: 'desc' }, include: { _count: { select: { entries: true } } } });
}

export async function staffContest(deps: Deps, id: string) {
  const c = await deps.db.contest.findUnique({ where: { id }, include: { prizes: { orderBy: { position: 'asc' } }, _count: { select: { entries: true } } } });
  if (!c) throw new NotFoundError('Concours introuvable.');
  const ranks = await deps.db.contestRank.findMany({ where: { contestId: id }, orderBy: { rank: 'asc' }, include: { entry: { select: { publicId: true } } } });
  return { contest: c, ranks };
}

/** Confirmed winners' shipping addresses: personal data, every view audited. */
export async function shippingList(deps: Deps, staffId: string, contestId: string) {
  const now = deps.clock.now();
  return deps.db.$transaction(async (tx) => {
    const c = await tx.contest.findUnique({ where: { id: contestId }, include: { prizes: true } });
    if (!c) throw new NotFoundError('Concours introuvable.');
    const ranks = await tx.contestRank.findMany({ where: { contestId, status: { in: ['CONFIRMED', 'SHIPPED'] } }, orderBy: { rank: 'asc' }, include: { entry: { select: { publicId: true, memberId: true } } } });
    const prizes = new Map(c.prizes.map((p) => [p.id, p.name]));
    await audit(tx, 'contest.addresses-viewed', { at: now, actor: staffId, details: { id: contestId, count: ranks.length } });
    return { contest: c, ranks: ranks.map((r) => ({ ...r, prizeName: r.prizeId ? prizes.get(r.prizeId) ?? '' : '' })) };
  });
}

/** Entrants for staff, as CSV: entry ids and dates only, no personal data. */
export async function entrantsCsv(deps: Deps, staffId: string, contestId: string): Promise<string> {
  const now = deps.clock.now();
  const c = await deps.db.contest.findUnique({ where: { id: contestId }, select: { id: true } });
  if (!c) throw new NotFoundError('Concours introuvable.');
  const rows = await deps.db.contestEntry.findMany({ where: { contestId }, orderBy: { publicId: 'asc' }, select: { publicId: true, createdAt: true } });
  await audit(deps.db, 'contest.entrants-exported', { at: now, actor: staffId, details: { id: contestId, count: rows.length } });
  return `reçu,date\r\n${rows.map((r) => `${r.publicId},${r.createdAt.toISOString()}`).join('\r\n')}\r\n`;
}

/**
 * Marks a confirmed prize shipped and books its cost in the same transaction (DESIGN §5):
 * OD, debit 6234 Cadeaux, credit 607 Achats, at the prize's unit cost; idempotent per rank.
 */
export async function markShipped(deps: Deps, staffId: string, contestId: string, rankId: string) {
  const now = deps.clock.now();
  return deps.db.$transaction(async (tx) => {
    const c = await lockContest(tx, contestId);
    const rank = await tx.contestRank.findFirst({ where: { id: rankId, contestId } });
    if (!rank) throw new NotFoundError('Gagnant introuvable.');
    if (rank.status !== 'CONFIRMED') throw new ConflictError('Seul un lot dont l’adresse est confirmée peut être expédié (et une seule fois).');
    const prize = await tx.contestPrize.findUniqueOrThrow({ where: { id: rank.prizeId! } });
    await tx.contestRank.update({ where: { id: rank.id }, data: { status: 'SHIPPED', shippedAt: now } });
    if (prize.unitCostCents > 0) {
      await postEntry(tx, {
        journal: 'OD', at: now, piece: `${c.publicId}-R${rank.rank}`,
        label: `Lot de concours ${c.publicId} rang ${rank.rank}`, idempotencyKey: `contest-ship:${rank.id}`,
        lines: [{ account: 'CADEAUX', debitCents: prize.unitCostCents }, { account: 'ACHATS', creditCents: prize.unitCostCents }],
      });
    }
    await audit(tx, 'contest.shipped', { at: now, actor: staffId, details: { id: contestId, amountCents: prize.unitCostCents } });
  });
}

// Puts a member in every contest situation, for the erasure test: an entry in an open contest,
// and a won, confirmed prize in a contest drawn in the past (run with a clock set back).
import type { Deps } from '../../src/deps.ts';
import { fixedClock } from '../../src/core/clock.ts';
import { addPrize, closeContest, confirmAddress, createContest, drawContest, enterContest, publishContest } from '../../src/contests/service.ts';

const DAY = 24 * 3600_000;

export async function enterAndWinContests(deps: Deps, staffId: string, member: { id: string; role: string; emailConfirmedAt: Date | null }, marker: string) {
  const now = deps.clock.now().getTime();
  const at = (ms: number) => ({ ...deps, clock: fixedClock(new Date(now + ms)) });
  const open = await createContest(deps, staffId, {
    title: `Ouvert ${marker.slice(-4)}`, description: '', question: 'Une question ?', opensAt: new Date(now - DAY), closesAt: new Date(now + 10 * DAY), drawAt: new Date(now + 11 * DAY), reserves: 0, claimDays: 30,
  });
  await addPrize(deps, staffId, open.id, { name: 'Lot', quantity: 1, unitCostCents: 100 });
  await publishContest(deps, staffId, open.id);
  await enterContest(deps, member, open.slug, `Réponse ${marker}`);

  const d = at(-3 * DAY);
  const won = await createContest(d, staffId, {
    title: `Gagné ${marker.slice(-4)}`, description: '', question: 'Une question ?', opensAt: new Date(now - 3 * DAY), closesAt: new Date(now - 2 * DAY), drawAt: new Date(now - DAY), reserves: 0, claimDays: 30,
  });
  await addPrize(d, staffId, won.id, { name: 'Lot', quantity: 1, unitCostCents: 100 });
  await publishContest(d, staffId, won.id);
  await enterContest(at(-2.5 * DAY), member, won.slug, `Réponse ${marker}`);
  await closeContest(at(-2 * DAY), null, won.id);
  await drawContest(at(-DAY), staffId, won.id);
  const rank = await deps.db.contestRank.findFirstOrThrow({ where: { contestId: won.id } });
  await confirmAddress(deps, member.id, rank.id, {
    shipName: `Dest ${marker}`, shipLine1: `1 rue ${marker}`, shipLine2: `Bat ${marker}`, shipPostcode: '75011', shipCity: `Ville${marker}`, shipCountry: 'FR',
  });
  return { openId: open.id, wonId: won.id, rankId: rank.id };
}

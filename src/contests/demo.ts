// Demo contests, one per state (called from prisma/seed.ts): an open one, one closed and waiting
// for its draw, one drawn with published results, so the verifier works on the demo site at once.
// Past steps run through the real services with a clock set back to their instant.
import type { Deps } from '../deps.ts';
import { fixedClock } from '../core/clock.ts';
import { createMember } from '../dev/factories.ts';
import { addPrize, closeContest, createContest, drawContest, enterContest, publishContest, setRules } from './service.ts';
import { createHash } from 'node:crypto';
import { writeVariants } from '../shop/images.ts';
import { pictureValue, simplePdf } from './files.ts';

const DAY = 24 * 3600_000;
const COLOURS = ['#f4b942', '#7cc6a4', '#e88fb4', '#8fb4e8', '#c49be0'];

/** A drawn picture for a demo prize (a coloured card, a star, the prize's initial), turned into WebP variants. */
async function demoPicture(deps: Deps, prize: { id: string; name: string; position: number }): Promise<void> {
  const colour = COLOURS[prize.name.length % COLOURS.length]!;
  const initial = prize.name.normalize('NFD').replace(/\p{M}/gu, '').charAt(0).toUpperCase();
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="640" height="480" viewBox="0 0 800 600">
  <rect width="800" height="600" fill="${colour}"/>
  <path d="M400 90l52 160h168l-136 99 52 161-136-99-136 99 52-161-136-99h168z" fill="#fff" opacity=".85"/>
  <text x="400" y="395" font-family="DejaVu Sans, Verdana, sans-serif" font-size="110" font-weight="700" text-anchor="middle" fill="${colour}">${initial}</text>
</svg>`;
  const stored = await writeVariants(deps.config, createHash('sha256').update(`demo-prize:${prize.name}`).digest('hex').slice(0, 24), Buffer.from(svg), 640, 480);
  await deps.db.contestPrize.update({ where: { id: prize.id }, data: { pictureFile: pictureValue(stored) } });
}

/** A one-page rules PDF for a demo contest. */
const demoRules = (title: string, prizes: string[]) =>
  simplePdf(`Règlement — ${title}`, [
    'Article 1 — Le Club Petites Stars organise un jeu gratuit sans obligation d’achat.',
    'Article 2 — Il est ouvert aux membres dont l’adresse électronique est confirmée,',
    'à raison d’une participation par membre. Les membres de l’équipe ne participent pas.',
    `Article 3 — Lots : ${prizes.join(' ; ')}.`,
    'Article 4 — Les gagnants sont tirés au sort selon l’algorithme publié sur la page du concours ;',
    'le tirage est vérifiable par tous. Des suppléants remplacent un gagnant qui ne confirme pas',
    'son adresse dans le délai indiqué.',
    'Article 5 — Données personnelles : voir la politique de confidentialité du site.',
  ]);

async function dress(deps: Deps, staffId: string, contest: { id: string; title: string }, prizes: { id: string; name: string; position: number }[]) {
  await setRules(deps, staffId, contest.id, { data: demoRules(contest.title, prizes.map((p) => p.name)), truncated: false });
  await Promise.all(prizes.map((p) => demoPicture(deps, p)));
}

export async function seedContests(deps: Deps, staffId: string, password: string): Promise<void> {
  const now = deps.clock.now().getTime();
  const clock = fixedClock(new Date(now));
  const at = (ms: number) => {
    clock.set(new Date(now + ms));
    return { ...deps, clock };
  };
  const people = [
    ['Inès', 'Roux'], ['Lucas', 'Petit'], ['Manon', 'Fournier'], ['Noah', 'Girard'], ['Jade', 'Bonnet'],
    ['Louis', 'Mercier'], ['Emma', 'Blanc'], ['Gabriel', 'Faure'], ['Alice', 'Chevalier'], ['Arthur', 'Robin'],
  ];
  const members = [];
  for (const [i, [firstName, lastName]] of people.entries()) {
    members.push((await createMember(at(-60 * DAY), { firstName, lastName, email: `participant${i + 1}@demo.clubpetitesstars.example`, password }, {})).member);
  }

  // Drawn, results published.
  const d0 = at(-40 * DAY);
  const drawn = await createContest(d0, staffId, {
    title: 'Concours de la rentrée', description: 'Une trousse garnie Petites Stars et deux livres de coloriage à gagner.\n\nTirage au sort parmi les membres inscrits.',
    question: null, opensAt: new Date(now - 40 * DAY), closesAt: new Date(now - 20 * DAY), drawAt: new Date(now - 19 * DAY), reserves: 2, claimDays: 30,
  });
  await dress(d0, staffId, drawn, [
    await addPrize(d0, staffId, drawn.id, { name: 'Trousse garnie Petites Stars', quantity: 1, unitCostCents: 2490 }),
    await addPrize(d0, staffId, drawn.id, { name: 'Livre de coloriage', quantity: 2, unitCostCents: 790 }),
  ]);
  await publishContest(d0, staffId, drawn.id);
  for (const [i, m] of members.entries()) await enterContest(at(-39 * DAY + i * 3600_000), m, drawn.slug, null);
  await closeContest(at(-20 * DAY), null, drawn.id);
  await drawContest(at(-19 * DAY), staffId, drawn.id);

  // Closed, waiting for its draw (the draw date has come: staff can run it from the demo at once).
  const c0 = at(-12 * DAY);
  const closed = await createContest(c0, staffId, {
    title: 'Concours d’automne', description: 'Un coffret de feutres à gagner.', question: 'Quelle est votre couleur préférée ?',
    opensAt: new Date(now - 12 * DAY), closesAt: new Date(now - 2 * DAY), drawAt: new Date(now - 3600_000), reserves: 1, claimDays: 30,
  });
  await dress(c0, staffId, closed, [await addPrize(c0, staffId, closed.id, { name: 'Coffret de 48 feutres', quantity: 1, unitCostCents: 1890 })]);
  await publishContest(c0, staffId, closed.id);
  for (const [i, m] of members.slice(0, 7).entries()) await enterContest(at(-11 * DAY + i * 3600_000), m, closed.slug, ['Bleu', 'Rose', 'Vert'][i % 3]!);
  await closeContest(at(-2 * DAY), null, closed.id);

  // Open: the demo member can enter.
  const o0 = at(-2 * DAY);
  const open = await createContest(o0, staffId, {
    title: 'Grand concours de Noël', description: 'Une peluche étoile géante et cinq calendriers de l’Avent à gagner.', question: null,
    opensAt: new Date(now - 2 * DAY), closesAt: new Date(now + 20 * DAY), drawAt: new Date(now + 21 * DAY), reserves: 3, claimDays: 30,
  });
  await dress(o0, staffId, open, [
    await addPrize(o0, staffId, open.id, { name: 'Peluche étoile géante', quantity: 1, unitCostCents: 3990 }),
    await addPrize(o0, staffId, open.id, { name: 'Calendrier de l’Avent', quantity: 5, unitCostCents: 990 }),
  ]);
  await publishContest(o0, staffId, open.id);
  for (const [i, m] of members.slice(3).entries()) await enterContest(at(-1 * DAY + i * 3600_000), m, open.slug, null);
}

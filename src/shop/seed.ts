// Demo catalogue: five categories, 35 products with French descriptions and realistic prices (VAT
// 5,5 % for books, 20 % otherwise), some out of stock or nearly. Pictures are drawn here as SVG
// (a coloured background, the category's shape, the product's initial) and turned into the same
// WebP variants as an upload: nothing is fetched. Called by prisma/seed.ts.
import { createHash } from 'node:crypto';
import type { Deps } from '../deps.ts';
import { derivedTexts } from './search.ts';
import { slugify } from './schema.ts';
import { writeVariants } from './images.ts';

interface DemoCategory {
  slug: string;
  name: string;
  description: string;
  colour: string;
  shape: string;
  products: [name: string, priceCents: number, stock: number, weightGrams: number, description: string][];
}

const BOOK = 550;
const OTHER = 2000;

const CATEGORIES: DemoCategory[] = [
  {
    slug: 'livres',
    name: 'Livres jeunesse',
    description: 'Albums, imagiers et premières lectures, de la naissance à 8 ans.',
    colour: '#f4b942',
    shape:
      '<rect x="270" y="170" width="260" height="300" rx="12" fill="#fff" opacity=".9"/><rect x="270" y="170" width="30" height="300" fill="#00000022"/>',
    products: [
      [
        'Imagier des animaux de la ferme',
        1290,
        24,
        450,
        'Un grand imagier cartonné pour nommer les animaux de la ferme : la vache, le cochon, la poule et leurs petits.\n\nPages épaisses aux coins arrondis, idéales pour les petites mains. Dès 1 an.',
      ],
      [
        'Petit Ours ne veut pas dormir',
        1150,
        3,
        380,
        'Ce soir, Petit Ours a mille raisons de ne pas se coucher. Un album tendre sur le rituel du coucher, à lire ensemble avant d’éteindre la lumière. Dès 2 ans.',
      ],
      [
        'Mon premier livre des saisons',
        1490,
        12,
        520,
        'Printemps, été, automne, hiver : des volets à soulever pour découvrir ce qui change dans le jardin au fil de l’année. Dès 2 ans.',
      ],
      [
        'Contes de la forêt enchantée',
        1890,
        8,
        640,
        'Dix contes courts illustrés à l’aquarelle, à lire en cinq minutes : la renarde rusée, le hérisson musicien, la chouette qui avait peur du noir. Dès 4 ans.',
      ],
      [
        'J’apprends à lire avec Léo',
        890,
        0,
        220,
        'Premières lectures syllabiques en trois niveaux, avec des histoires courtes et des exercices de repérage. Idéal en grande section et au CP.',
      ],
      [
        'Le grand livre des pourquoi',
        2150,
        15,
        900,
        'Pourquoi le ciel est-il bleu ? Où va le soleil la nuit ? Deux cents questions d’enfants et leurs réponses illustrées. Dès 5 ans.',
      ],
      [
        'Cherche et trouve à la plage',
        1390,
        5,
        480,
        'De grandes scènes fourmillantes de détails pour observer, chercher et compter : coquillages, mouettes, châteaux de sable. Dès 3 ans.',
      ],
    ],
  },
  {
    slug: 'jouets-eveil',
    name: 'Jouets d’éveil',
    description: 'Hochets, tapis et jouets en bois pour éveiller les sens des tout-petits.',
    colour: '#6cc4a1',
    shape:
      '<circle cx="400" cy="300" r="150" fill="#fff" opacity=".9"/><circle cx="400" cy="300" r="70" fill="#00000022"/>',
    products: [
      [
        'Hochet anneau en hêtre',
        1490,
        30,
        80,
        'Hochet en bois de hêtre non traité et perles colorées, facile à saisir. Peintures à l’eau conformes à la norme EN 71-3. Dès la naissance.',
      ],
      [
        'Tapis d’éveil Savane',
        5990,
        6,
        1400,
        'Tapis matelassé avec arche amovible et cinq jouets suspendus : girafe, lion, miroir incassable, anneau de dentition et grelot. Lavable en machine à 30 °C.',
      ],
      [
        'Cubes sensoriels en tissu',
        2490,
        18,
        350,
        'Six cubes souples aux textures différentes, qui crissent, tintent ou sonnent. Pour empiler, lancer et toucher. Dès 3 mois.',
      ],
      [
        'Boîte à formes en bois',
        2790,
        0,
        900,
        'Une boîte avec couvercle à trois formes et huit blocs colorés à faire entrer au bon endroit. Développe la coordination main-œil. Dès 12 mois.',
      ],
      [
        'Culbuto ourson musical',
        1990,
        2,
        300,
        'Un ourson qui se balance et revient toujours debout en jouant une petite mélodie douce. Dès 6 mois.',
      ],
      [
        'Trotteur en bois avec cubes',
        6990,
        4,
        4200,
        'Chariot de marche stable en bouleau, freins de roues réglables et vingt cubes à empiler. Accompagne les premiers pas. Dès 12 mois.',
      ],
      [
        'Livre de bain Petits poissons',
        890,
        40,
        90,
        'Livre souple et étanche qui change de couleur dans l’eau chaude. Pour rendre l’heure du bain plus gaie. Dès 6 mois.',
      ],
    ],
  },
  {
    slug: 'jeux-puzzles',
    name: 'Jeux et puzzles',
    description: 'Puzzles, jeux de société et de construction pour jouer en famille.',
    colour: '#7aa7e6',
    shape:
      '<path d="M270 190h120a40 40 0 1 1 40 0h100v110a40 40 0 1 1 0 60v110H270V360a40 40 0 1 0 0-60z" fill="#fff" opacity=".9"/>',
    products: [
      [
        'Puzzle Les animaux du monde 48 pièces',
        1590,
        20,
        600,
        'Un puzzle de 48 grosses pièces épaisses avec une carte illustrée des animaux de chaque continent. Dès 4 ans.',
      ],
      [
        'Mon premier jeu de mémoire',
        1290,
        14,
        400,
        'Trente-six cartes épaisses illustrées de fruits et légumes pour un premier memory. Règles simples, parties courtes. Dès 3 ans.',
      ],
      [
        'Jeu de l’oie des dinosaures',
        2290,
        0,
        750,
        'Le jeu de l’oie revisité, avec des volcans, des raccourcis et des tyrannosaures. Pour deux à quatre joueurs. Dès 5 ans.',
      ],
      [
        'Blocs de construction 100 pièces',
        3490,
        9,
        2100,
        'Cent blocs en bois naturel et colorés pour bâtir tours, ponts et châteaux. Livré dans un sac en coton. Dès 2 ans.',
      ],
      [
        'Puzzle géant La ferme 24 pièces',
        1990,
        1,
        900,
        'Un puzzle de sol de 24 pièces géantes (90 × 60 cm une fois assemblé), pour jouer à plusieurs. Dès 3 ans.',
      ],
      [
        'Dominos des couleurs',
        990,
        25,
        250,
        'Vingt-huit dominos en bois avec des couleurs et des formes à associer : un premier jeu de règles. Dès 3 ans.',
      ],
      [
        'Jeu de coopération Le verger',
        3290,
        7,
        1100,
        'Cueillez tous les fruits avant que le corbeau n’arrive ! Un jeu de coopération classique où l’on gagne ou perd ensemble. Dès 3 ans.',
      ],
    ],
  },
  {
    slug: 'puericulture',
    name: 'Puériculture',
    description: 'L’essentiel pour le repas, le sommeil, le bain et les sorties de bébé.',
    colour: '#e58fb1',
    shape:
      '<path d="M260 260h280a140 140 0 0 1-280 0z" fill="#fff" opacity=".9"/><circle cx="310" cy="450" r="30" fill="#fff"/><circle cx="490" cy="450" r="30" fill="#fff"/>',
    products: [
      [
        'Poussette légère pliable',
        18990,
        3,
        6500,
        'Poussette compacte de 6,5 kg qui se plie d’une main, dossier inclinable en position allongée, capote UPF 50+ et grand panier. De la naissance à 22 kg.',
      ],
      [
        'Chaise haute évolutive en bois',
        14900,
        5,
        7800,
        'Chaise haute en hêtre qui se transforme en chaise enfant, plateau amovible et harnais cinq points. Dès 6 mois et jusqu’à 10 ans.',
      ],
      [
        'Gigoteuse en coton bio 0-6 mois',
        3490,
        16,
        300,
        'Gigoteuse en coton biologique certifié GOTS, TOG 2,5 pour une chambre entre 18 et 20 °C, ouverture latérale pour changer bébé sans le réveiller.',
      ],
      [
        'Baignoire pliante avec thermomètre',
        3990,
        0,
        1800,
        'Baignoire qui se plie à plat pour le rangement, avec bouchon de vidange et thermomètre intégré. De la naissance à 12 mois.',
      ],
      [
        'Coffret repas en bambou',
        2490,
        11,
        600,
        'Une assiette à compartiments avec ventouse, un bol, une cuillère et un gobelet en fibre de bambou, sans BPA. Dès 6 mois.',
      ],
      [
        'Écharpe de portage en coton',
        5490,
        4,
        700,
        'Écharpe tissée de 4,60 m en coton, pour porter bébé contre soi dès la naissance. Notice de nouages illustrée en français.',
      ],
      [
        'Babyphone audio longue portée',
        4990,
        9,
        450,
        'Babyphone audio à portée de 300 m en extérieur, veilleuse douce, mode éco et alerte de température. Sans abonnement ni application.',
      ],
    ],
  },
  {
    slug: 'doudous-peluches',
    name: 'Doudous et peluches',
    description: 'Des compagnons tout doux pour les câlins et les nuits.',
    colour: '#b79ae0',
    shape:
      '<circle cx="330" cy="200" r="50" fill="#fff" opacity=".9"/><circle cx="470" cy="200" r="50" fill="#fff" opacity=".9"/><circle cx="400" cy="310" r="130" fill="#fff" opacity=".9"/>',
    products: [
      [
        'Doudou lapin plat',
        1990,
        22,
        120,
        'Doudou plat en velours tout doux avec de longues oreilles à mâchouiller et une attache-tétine. Lavable en machine. Dès la naissance.',
      ],
      [
        'Peluche ours brun 30 cm',
        2490,
        10,
        350,
        'Un ours en peluche classique, yeux brodés pour la sécurité des petits, rembourrage en fibre recyclée. Dès la naissance.',
      ],
      [
        'Doudou mouton musical',
        2990,
        0,
        250,
        'Un mouton à tirer qui joue une berceuse pendant deux minutes. Le mécanisme se retire pour le lavage. Dès la naissance.',
      ],
      [
        'Marionnette à main renard',
        1690,
        8,
        150,
        'Une marionnette douce pour inventer des histoires et faire rire les petits. Taille adulte, s’enfile facilement.',
      ],
      [
        'Peluche éléphant géant 60 cm',
        4990,
        2,
        900,
        'Un grand éléphant gris aux oreilles roses, compagnon de sieste et de lecture. Dès 3 ans.',
      ],
      [
        'Coffret naissance doudou et hochet',
        3490,
        6,
        400,
        'Un doudou chat et son hochet assorti, dans une jolie boîte cadeau prête à offrir. Dès la naissance.',
      ],
      [
        'Veilleuse peluche étoile',
        3290,
        13,
        300,
        'Une étoile en peluche qui s’allume d’une lumière chaude et s’éteint seule au bout de vingt minutes. Rechargeable par USB. Dès la naissance.',
      ],
    ],
  },
];

const W = 640;
const H = 480;

function pictureOf(c: DemoCategory, name: string, variant: number): string {
  const initial = name.normalize('NFD').replace(/\p{M}/gu, '').charAt(0).toUpperCase();
  const hue = (variant * 47) % 360;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 800 600">
  <rect width="800" height="600" fill="${c.colour}"/>
  <circle cx="${120 + ((variant * 97) % 560)}" cy="${90 + ((variant * 53) % 420)}" r="${60 + (variant % 4) * 20}" fill="hsl(${hue} 70% 85%)" opacity=".55"/>
  <circle cx="${680 - ((variant * 61) % 560)}" cy="${510 - ((variant * 37) % 420)}" r="${40 + (variant % 3) * 25}" fill="#ffffff" opacity=".35"/>
  ${c.shape}
  <text x="400" y="350" font-family="DejaVu Sans, Verdana, sans-serif" font-size="120" font-weight="700" text-anchor="middle" fill="${c.colour}">${initial}</text>
</svg>`;
}

/** Creates the demo catalogue unless one category of it is already there; returns how many products it made. */
export async function seedCatalogue(deps: Deps): Promise<number> {
  if (await deps.db.category.findUnique({ where: { slug: CATEGORIES[0].slug } })) return 0;
  const start = deps.clock.now().getTime();
  let n = 0;
  const rows: { product: Parameters<Deps['db']['product']['create']>[0]['data']; picture: string; key: string }[] = [];
  for (const [position, c] of CATEGORIES.entries()) {
    const at = new Date(start - (400 - position) * 86_400_000);
    const cat = await deps.db.category.create({
      data: { slug: c.slug, name: c.name, description: c.description, position, createdAt: at, updatedAt: at },
    });
    for (const [name, priceCents, stock, weightGrams, description] of c.products) {
      n += 1;
      // a spread of creation dates, so "Nouveautés" has something to sort
      const created = new Date(start - ((n * 7) % 90) * 86_400_000 - n * 60_000);
      const slug = slugify(name);
      rows.push({
        product: {
          slug,
          name,
          description,
          categoryId: cat.id,
          priceCents,
          vatRateBp: c.slug === 'livres' ? BOOK : OTHER,
          stock,
          weightGrams,
          published: true,
          ...derivedTexts({ name, description }, c.name),
          createdAt: created,
          updatedAt: created,
        },
        picture: pictureOf(c, name, n),
        key: createHash('sha256').update(`demo:${slug}`).digest('hex').slice(0, 24),
      });
    }
  }
  // Pictures drawn in parallel (sharp uses its own threads), rows written one by one.
  await Promise.all(
    rows.map(async (r) => {
      await writeVariants(deps.config, r.key, Buffer.from(r.picture), W, H);
    }),
  );
  for (const r of rows) {
    const p = await deps.db.product.create({ data: r.product });
    await deps.db.productImage.create({
      data: {
        productId: p.id,
        key: r.key,
        width: W,
        height: H,
        alt: `Illustration : ${r.product.name}`,
        position: 0,
        createdAt: r.product.createdAt as Date,
      },
    });
  }
  // One unpublished draft, for the staff pages.
  const draftCat = await deps.db.category.findUniqueOrThrow({ where: { slug: 'jeux-puzzles' } });
  const at = new Date(start);
  await deps.db.product.create({
    data: {
      slug: 'jeu-de-quilles-en-bois',
      name: 'Jeu de quilles en bois',
      description: 'Six quilles et deux boules en bois peint. Fiche en préparation.',
      categoryId: draftCat.id,
      priceCents: 2590,
      vatRateBp: OTHER,
      stock: 10,
      weightGrams: 1200,
      published: false,
      ...derivedTexts(
        {
          name: 'Jeu de quilles en bois',
          description: 'Six quilles et deux boules en bois peint. Fiche en préparation.',
        },
        draftCat.name,
      ),
      createdAt: at,
      updatedAt: at,
    },
  });
  return n + 1;
}

export const DEMO_CATEGORY_COUNT = CATEGORIES.length;

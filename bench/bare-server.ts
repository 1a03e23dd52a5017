// The reference: bare Express 5 + EJS, one route rendering a page about the size of the home
// page, no middleware. Listens on 127.0.0.1 (random port), prints {"ready": {...}}, and stops
// when stdin closes. View caching follows Express's default, as in the app (BENCH_VIEW_CACHE=1
// forces it on in both).
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import express from 'express';
import { send, serveCommands } from './lib.ts';

const app = express();
app.set('view engine', 'ejs');
app.set('views', path.join(path.dirname(fileURLToPath(import.meta.url)), 'views'));
if (process.env.BENCH_VIEW_CACHE === '1') app.enable('view cache');

const locals = {
  title: 'Accueil',
  siteName: 'Club Petites Stars',
  currentPath: '/',
  links: [
    { href: '/connexion', text: 'Se connecter' },
    { href: '/inscription', text: 'S’inscrire' },
  ],
  cards: [
    { title: 'Codes coupons', text: 'Vous trouvez un code sur un produit partenaire ou dans votre magazine ? Saisissez-le dans votre compte : sa valeur est créditée une seule fois sur votre solde.' },
    { title: 'Un compte à vous', text: 'Vos coordonnées servent à créditer vos coupons et à vous livrer. Vous pouvez les modifier, les télécharger ou supprimer votre compte à tout moment.' },
    { title: 'Respect de vos données', text: 'Aucun traceur, aucune publicité, aucun service tiers chargé par nos pages. Un seul cookie, déposé seulement quand vous vous connectez.' },
  ],
};

app.get('/', (_req, res) => res.render('bare', locals));

const server = app.listen(0, '127.0.0.1', () => {
  send({ ready: { port: (server.address() as AddressInfo).port, viewCache: app.enabled('view cache'), expressEnv: app.get('env') as string } });
});
let cpu = process.cpuUsage();
serveCommands(
  {
    stats: () => {
      const { user, system } = process.cpuUsage(cpu);
      cpu = process.cpuUsage();
      return { cpu: { userMs: Math.round(user / 1000), systemMs: Math.round(system / 1000) } };
    },
  },
  () => {
    server.closeAllConnections();
    return new Promise<void>((resolve) => server.close(() => resolve()));
  },
);

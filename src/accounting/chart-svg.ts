// The monthly sales and VAT chart, rendered on the server as SVG (no script). Escaped by building
// only from numbers and fixed French month names.
import type { MonthFigures } from './service.ts';
import { formatEuros } from '../core/money.ts';

const SHORT = ['janv.', 'févr.', 'mars', 'avr.', 'mai', 'juin', 'juil.', 'août', 'sept.', 'oct.', 'nov.', 'déc.'];

export function salesChartSvg(months: MonthFigures[]): string {
  const W = 720;
  const H = 260;
  const left = 70;
  const bottom = 30;
  const top = 20;
  const highest = Math.max(0, ...months.map((m) => Math.max(m.netCents, m.vatCents)));
  if (highest === 0) return '<p>Aucune vente enregistrée cette année.</p>';
  const max = highest;
  const step = (W - left - 10) / months.length;
  const bar = Math.max(4, step / 2 - 4);
  const y = (v: number) => top + (H - top - bottom) * (1 - Math.max(0, v) / max);
  const parts: string[] = [];
  for (let i = 0; i <= 4; i++) {
    const v = (max * i) / 4;
    parts.push(`<line x1="${left}" x2="${W - 10}" y1="${y(v).toFixed(1)}" y2="${y(v).toFixed(1)}" stroke="#ccc" stroke-width="1"/>`);
    parts.push(`<text x="${left - 6}" y="${(y(v) + 4).toFixed(1)}" text-anchor="end" font-size="11" fill="currentColor">${Math.round(v / 100).toLocaleString('fr-FR')} €</text>`);
  }
  months.forEach((m, i) => {
    const x = left + i * step + 4;
    const mi = Number(m.month.slice(5, 7)) - 1;
    parts.push(`<rect x="${x.toFixed(1)}" y="${y(m.netCents).toFixed(1)}" width="${bar.toFixed(1)}" height="${(H - bottom - y(m.netCents)).toFixed(1)}" fill="#1f6feb"><title>${SHORT[mi]} : ventes HT ${formatEuros(m.netCents)}</title></rect>`);
    parts.push(`<rect x="${(x + bar + 2).toFixed(1)}" y="${y(m.vatCents).toFixed(1)}" width="${bar.toFixed(1)}" height="${(H - bottom - y(m.vatCents)).toFixed(1)}" fill="#d9822b"><title>${SHORT[mi]} : TVA ${formatEuros(m.vatCents)}</title></rect>`);
    parts.push(`<text x="${(x + bar).toFixed(1)}" y="${H - bottom + 16}" text-anchor="middle" font-size="11" fill="currentColor">${SHORT[mi]}</text>`);
  });
  return `<svg class="sales-chart" viewBox="0 0 ${W} ${H}" role="img" aria-labelledby="sales-chart-title" xmlns="http://www.w3.org/2000/svg"><title id="sales-chart-title">Ventes hors taxes (bleu) et TVA collectée (orange) par mois</title>${parts.join('')}</svg>`;
}

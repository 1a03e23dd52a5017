// Formatting shared by every view: French money and Europe/Paris dates.
const euro = new Intl.NumberFormat('fr-FR', { style: 'currency', currency: 'EUR' });
const dateFmt = new Intl.DateTimeFormat('fr-FR', { timeZone: 'Europe/Paris', dateStyle: 'long' });
const dateTimeFmt = new Intl.DateTimeFormat('fr-FR', { timeZone: 'Europe/Paris', dateStyle: 'short', timeStyle: 'short' });

export const formatEuros = (cents: number): string => euro.format(cents / 100);
export const formatDate = (d: Date | string | null | undefined): string => (d ? dateFmt.format(new Date(d)) : '');
export const formatDateTime = (d: Date | string | null | undefined): string => (d ? dateTimeFmt.format(new Date(d)) : '');
export const memberNumber = (n: number): string => `M${String(n).padStart(6, '0')}`;

export const viewHelpers = { formatEuros, formatDate, formatDateTime, memberNumber };

// Formatting shared by every view: French money and Europe/Paris dates.
import { formatEuros } from '../core/money.ts';
import { formatDate, formatDateTime } from '../core/dates.ts';
import { memberNumber } from '../core/member-number.ts';

export const viewHelpers = { formatEuros, formatDate, formatDateTime, memberNumber };

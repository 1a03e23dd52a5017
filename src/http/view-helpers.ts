// Formatting shared by every view: French money, Europe/Paris dates, form fields, countries by
// their name and French phone numbers in pairs.
import { formatEuros } from '../core/money.ts';
import { formatDate, formatDateTime } from '../core/dates.ts';
import { memberNumber } from '../core/member-number.ts';
import { formField } from './form-field.ts';
import { countryName, formatPhone } from '../core/display.ts';

export const viewHelpers = { formatEuros, formatDate, formatDateTime, memberNumber, formField, countryName, formatPhone };

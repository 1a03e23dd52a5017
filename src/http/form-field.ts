// One labelled form input with its hint or error, as every form of the site writes it: a function
// the views call (formField) rather than an EJS include, which costs a template call per field
// (13 on the account page).

export interface FieldSpec {
  name: string;
  label: string;
  /** The element id; `f-<name>` by default (set it when two forms of a page share a field name). */
  id?: string;
  type?: string;
  /** The value when the person has typed none (values[name] wins). */
  value?: string | number;
  optional?: boolean;
  autocomplete?: string;
  inputmode?: string;
  minlength?: number;
  hint?: string;
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&#34;', "'": '&#39;' };
const SPECIAL = /[&<>"']/;
const SPECIALS = /[&<>"']/g;

/**
 * The escaping of EJS's `<%= %>` (the view engine's too). Most values hold nothing to escape:
 * they are returned as they are, without a replace that calls a function per match.
 */
export function escapeHtml(value: unknown): string {
  if (value === undefined || value === null) return '';
  const text = typeof value === 'string' ? value : String(value);
  return SPECIAL.test(text) ? text.replace(SPECIALS, (c) => ESCAPES[c]) : text;
}

/**
 * The field's label, input (holding what the person typed, except passwords) and its error or hint,
 * tied together by id and aria-describedby.
 */
export function formField(
  f: FieldSpec,
  values: Record<string, unknown> | undefined,
  errors: Record<string, string | undefined> | undefined,
): string {
  const id = escapeHtml(f.id || 'f-' + f.name);
  const err = errors?.[f.name];
  const val = f.type === 'password' ? '' : (values?.[f.name] ?? f.value ?? '');
  let html = `<label for="${id}">${escapeHtml(f.label)}${f.optional ? ' <small class="muted">(facultatif)</small>' : ''}</label>\n`;
  html += `<input id="${id}" name="${escapeHtml(f.name)}" type="${escapeHtml(f.type || 'text')}" value="${escapeHtml(val)}"`;
  if (f.autocomplete) html += ` autocomplete="${escapeHtml(f.autocomplete)}"`;
  if (!f.optional) html += ' required';
  if (f.inputmode) html += ` inputmode="${escapeHtml(f.inputmode)}"`;
  if (f.minlength) html += ` minlength="${escapeHtml(f.minlength)}"`;
  if (err) html += ` aria-invalid="true" aria-describedby="${id}-err"`;
  else if (f.hint) html += ` aria-describedby="${id}-hint"`;
  html += '>\n';
  if (err) html += `<small id="${id}-err" class="field-error">${escapeHtml(err)}</small>\n`;
  else if (f.hint) html += `<small id="${id}-hint">${escapeHtml(f.hint)}</small>\n`;
  return html;
}

// The form field every form writes: what the person typed comes back escaped, never a password;
// the error or the hint is tied to the input for screen readers.
import { describe, expect, it } from 'vitest';
import { escapeHtml, formField } from './form-field.ts';

describe('formField', () => {
  it('keeps what was typed, escaped, and marks a required field', () => {
    const html = formField({ name: 'email', label: 'Adresse <e-mail>', type: 'email', autocomplete: 'email' }, { email: `a"b'<c>&@x.fr` }, {});
    expect(html).toContain('<label for="f-email">Adresse &lt;e-mail&gt;</label>');
    expect(html).toContain('<input id="f-email" name="email" type="email" value="a&#34;b&#39;&lt;c&gt;&amp;@x.fr" autocomplete="email" required>');
    expect(html).not.toContain('aria-');
  });

  it('never gives a password back, and ties the hint to the input', () => {
    const html = formField({ name: 'pw', id: 'f-new', label: 'Mot de passe', type: 'password', minlength: 12, hint: 'Au moins 12 caractères.' }, { pw: 'secret' }, {});
    expect(html).toContain('value=""');
    expect(html).not.toContain('secret');
    expect(html).toContain('minlength="12" aria-describedby="f-new-hint">');
    expect(html).toContain('<small id="f-new-hint">Au moins 12 caractères.</small>');
  });

  it('shows the error instead of the hint, marked invalid', () => {
    const html = formField({ name: 'cp', label: 'Code postal', hint: 'h', inputmode: 'numeric' }, { cp: '7500' }, { cp: 'Code <postal> invalide' });
    expect(html).toContain('value="7500" required inputmode="numeric" aria-invalid="true" aria-describedby="f-cp-err">');
    expect(html).toContain('<small id="f-cp-err" class="field-error">Code &lt;postal&gt; invalide</small>');
    expect(html).not.toContain('f-cp-hint');
  });

  it('an optional field says so and is not required; a default value gives way to a typed one, even 0', () => {
    const html = formField({ name: 'a2', label: 'Complément', optional: true, value: 'défaut' }, undefined, undefined);
    expect(html).toContain('Complément <small class="muted">(facultatif)</small>');
    expect(html).toContain('value="défaut">');
    expect(html).not.toContain('required');
    expect(formField({ name: 'n', label: 'N', type: 'number', value: 5 }, { n: 0 }, {})).toContain('value="0"');
  });

  it('escapes as EJS does', () => {
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe('&lt;a href=&#34;x&#34;&gt;&#39;&amp;&#39;&lt;/a&gt;');
    expect(escapeHtml(null)).toBe('');
    expect(escapeHtml(12)).toBe('12');
    expect(escapeHtml('Jean Dupont')).toBe('Jean Dupont');
    expect(escapeHtml(undefined)).toBe('');
    expect(escapeHtml(0)).toBe('0');
  });
});

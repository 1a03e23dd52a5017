import { describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { MASK, maskSecrets } from './mask.ts';
import { mails } from '../accounts/emails.ts';
import type { Deps } from '../deps.ts';

const deps = { config: { publicUrl: 'https://club.example' } } as Deps;

describe('the copy of an e-mail kept by the site', () => {
  it('masks the token of every link that carries one, and keeps the rest readable', () => {
    const token = randomBytes(32).toString('base64url');
    for (const m of [mails.confirm(deps, 'Inès', token), mails.reset(deps, token)]) {
      const kept = maskSecrets(m.text);
      expect(m.text).toContain(token);
      expect(kept).not.toContain(token);
      expect(kept).toContain(`jeton=${MASK}`);
      expect(kept.replace(`jeton=${MASK}`, '')).toBe(m.text.replace(`jeton=${token}`, ''));
    }
  });

  it('leaves links without parameters alone and masks any long token-like word', () => {
    const m = mails.alreadyRegistered(deps);
    expect(maskSecrets(m.text)).toBe(m.text);
    const hex = randomBytes(24).toString('hex');
    expect(maskSecrets(`code : ${hex}.`)).toBe(`code : ${MASK}.`);
    expect(maskSecrets('https://club.example/a?x=1&y=deux#frag suite')).toBe(
      `https://club.example/a?x=${MASK}&y=${MASK} suite`,
    );
  });
});

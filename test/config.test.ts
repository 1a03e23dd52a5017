import { describe, expect, it } from 'vitest';
import os from 'node:os';
import path from 'node:path';
import { mkdtempSync, readFileSync } from 'node:fs';
import { loadConfig } from '../src/config.ts';

const tmp = () => mkdtempSync(path.join(os.tmpdir(), 'club-config-'));

describe('configuration', () => {
  it('starts with no variable set: defaults, and dev secrets generated once under DATA_DIR', () => {
    const dir = tmp();
    const a = loadConfig({ DATA_DIR: dir });
    expect(a.port).toBe(3000);
    expect(a.databaseUrl).toBeUndefined();
    expect(a.sessionSecret).toHaveLength(64);
    expect(readFileSync(path.join(dir, '.session-secret'), 'utf8')).toBe(a.sessionSecret);
    expect(loadConfig({ DATA_DIR: dir }).sessionSecret).toBe(a.sessionSecret);
  });

  it('names the malformed variable', () => {
    expect(() => loadConfig({ DATA_DIR: tmp(), PORT: 'abc' })).toThrow(/PORT/);
    expect(() => loadConfig({ DATA_DIR: tmp(), DATABASE_URL: 'mysql://x' })).toThrow(/DATABASE_URL: doit commencer par postgres/);
    expect(() => loadConfig({ DATA_DIR: tmp(), SESSION_SECRET: 'short' })).toThrow(/SESSION_SECRET: au moins 32 caractères/);
  });

  it('requires the secrets, SMTP, https and an explicit proxy setting in production', () => {
    expect(() => loadConfig({ NODE_ENV: 'production', DATA_DIR: tmp() })).toThrow(
      /SESSION_SECRET: obligatoire quand NODE_ENV=production[\s\S]*CODE_HMAC_SECRET[\s\S]*SMTP_URL[\s\S]*PUBLIC_URL: doit commencer par https/,
    );
    const prod = {
      NODE_ENV: 'production', SESSION_SECRET: 's'.repeat(32), CODE_HMAC_SECRET: 'c'.repeat(32), SMTP_URL: 'smtp://relay:25', PUBLIC_URL: 'https://club.example', DATA_DIR: tmp(),
      SELLER_EMAIL: 'contact@club.test', PRIVACY_EMAIL: 'dpo@club.test',
    };
    expect(() => loadConfig({ ...prod, TRUST_PROXY: 'true' })).toThrow(/TRUST_PROXY: en production/);
    // The privacy contact and the seller's address must be real ones: a demo domain receives nothing.
    const { PRIVACY_EMAIL: _p, SELLER_EMAIL: _s, ...demoContacts } = prod;
    expect(() => loadConfig(demoContacts)).toThrow(/PRIVACY_EMAIL: adresse de démonstration \(dpo@clubpetitesstars\.example\)[\s\S]*SELLER_EMAIL: adresse de démonstration/);
    expect(() => loadConfig({ ...prod, PRIVACY_EMAIL: 'pas une adresse' })).toThrow(/PRIVACY_EMAIL/);
    expect(loadConfig(prod).privacyEmail).toBe('dpo@club.test');
    const c = loadConfig(prod);
    expect(c.isProduction).toBe(true);
    expect(c.seedDemo).toBe(false);
  });

  it('refuses a warning period that is not shorter than the erasure period', () => {
    expect(() => loadConfig({ DATA_DIR: tmp(), RETENTION_INACTIVE_WARN_MONTHS: '36', RETENTION_INACTIVE_ERASE_MONTHS: '36' })).toThrow(/RETENTION_INACTIVE_WARN_MONTHS/);
  });

  it('reads trust proxy as a boolean, a hop count or a list', () => {
    expect(loadConfig({ DATA_DIR: tmp(), TRUST_PROXY: '1' }).trustProxy).toBe(1);
    expect(loadConfig({ DATA_DIR: tmp(), TRUST_PROXY: 'true' }).trustProxy).toBe(true);
    expect(loadConfig({ DATA_DIR: tmp(), TRUST_PROXY: 'loopback' }).trustProxy).toBe('loopback');
  });
});

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

  it('requires the secrets in production', () => {
    expect(() => loadConfig({ NODE_ENV: 'production', DATA_DIR: tmp() })).toThrow(
      /SESSION_SECRET: obligatoire quand NODE_ENV=production[\s\S]*CODE_HMAC_SECRET/,
    );
    const c = loadConfig({ NODE_ENV: 'production', SESSION_SECRET: 's'.repeat(32), CODE_HMAC_SECRET: 'c'.repeat(32), DATA_DIR: tmp() });
    expect(c.isProduction).toBe(true);
    expect(c.seedDemo).toBe(false);
  });

  it('reads trust proxy as a boolean, a hop count or a list', () => {
    expect(loadConfig({ DATA_DIR: tmp(), TRUST_PROXY: '1' }).trustProxy).toBe(1);
    expect(loadConfig({ DATA_DIR: tmp(), TRUST_PROXY: 'true' }).trustProxy).toBe(true);
    expect(loadConfig({ DATA_DIR: tmp(), TRUST_PROXY: 'loopback' }).trustProxy).toBe('loopback');
  });
});

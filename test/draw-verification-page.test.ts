// The public page that lets anyone re-implement the draw: its example must be what the site computes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import request from 'supertest';
import { createTestApp } from './helpers/app.ts';
import type { TestApp } from './helpers/app.ts';
import { draw, drawKey, listHashOf, seedHashOf } from '../src/contests/draw.ts';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());

describe('/verification-des-tirages', () => {
  it('publishes the algorithm with an example that the site’s own code reproduces', async () => {
    const res = await request(t.app).get('/verification-des-tirages');
    expect(res.status).toBe(200);
    expect(res.headers['set-cookie']).toBeUndefined();
    const seed = '0'.repeat(64);
    const entries = ['A', 'B', 'C'];
    const listHash = listHashOf(entries);
    const result = draw({ contestId: 'C-VECTOR01', seedHex: seed, entries, winners: 1, reserves: 1 });
    for (const value of [seedHashOf(seed), listHash, drawKey('C-VECTOR01', listHash, seed).toString('hex')]) expect(res.text).toContain(value);
    expect(result.ranking).toEqual(['A', 'B']);
    expect(res.text).toContain('<span class="code">A</span> (gagnant), <span class="code">B</span> (suppléant)');
    // The details an outsider gets wrong without them.
    for (const detail of ['décodez-la en octets', 'sur 8 octets, poids fort en premier', 'lire 6 octets', 'sans saut de ligne final']) expect(res.text).toContain(detail);
  });
});

import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../logger.ts';
import { systemClock } from '../core/clock.ts';
import type { Db } from '../db/connect.ts';
import { Worker } from './worker.ts';

function worker(failure: Error) {
  const lines: { level: number; msg: string }[] = [];
  const logger = createLogger(
    'info',
    new Writable({ write: (c, _e, cb) => (lines.push(JSON.parse(String(c))), cb()) }),
  );
  const db = { $executeRaw: () => Promise.reject(failure) } as unknown as Db;
  return {
    w: new Worker({ db, clock: systemClock, logger, handlers: {}, pollMs: 5 }),
    lines,
  };
}

const tick = async (w: Worker) => {
  w.start();
  await new Promise((r) => setTimeout(r, 30));
  await w.stop();
};

describe('the jobs worker while the database is unreachable', () => {
  it('logs a warning, not an error, and keeps polling', async () => {
    const down = Object.assign(new Error('Can’t reach database server'), {
      code: 'P1001',
      meta: { driverAdapterError: { cause: { kind: 'DatabaseNotReachable' } } },
    });
    const { w, lines } = worker(down);
    await tick(w);
    expect(lines.filter((l) => l.msg === 'worker tick failed').length).toBeGreaterThan(1);
    expect(lines.filter((l) => l.level >= 50)).toEqual([]);
  });

  it('still logs any other failure as an error', async () => {
    const { w, lines } = worker(new TypeError('bug'));
    await tick(w);
    expect(lines.some((l) => l.level === 50 && l.msg === 'worker tick failed')).toBe(true);
  });
});

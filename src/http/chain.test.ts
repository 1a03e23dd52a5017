// One layer for several middlewares: the same order and error handling as Express's router.
import express from 'express';
import type { NextFunction, Request, Response } from 'express';
import { describe, expect, it } from 'vitest';
import { chain } from './chain.ts';

const serve = async (app: express.Express, path = '/') => {
  const server = app.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  try {
    const { port } = server.address() as { port: number };
    const res = await fetch(`http://127.0.0.1:${port}${path}`);
    return { status: res.status, text: await res.text() };
  } finally {
    server.close();
  }
};

const withErrors = (app: express.Express) =>
  app.use((err: Error, _req: Request, res: Response, _next: NextFunction) => void res.status(500).send(`error: ${err.message}`));

describe('chain', () => {
  it('runs the handlers in order, then the next layer (next("route") going on, as in Express)', async () => {
    const app = express();
    const seen: string[] = [];
    app.use(
      chain(
        (_req, _res, next) => (seen.push('a'), next('route')),
        (_req, _res, next) => void setTimeout(() => (seen.push('b'), next()), 5),
        async (_req, _res, next) => (seen.push('c'), next()),
      ),
    );
    app.get('/', (_req, res) => void res.send(seen.join('')));
    expect(await serve(app)).toEqual({ status: 200, text: 'abc' });
  });

  it('stops where a handler answers', async () => {
    const app = express();
    let after = false;
    app.use(chain((_req, res) => void res.send('answered'), (_req, _res, next) => ((after = true), next())));
    expect(await serve(app)).toEqual({ status: 200, text: 'answered' });
    expect(after).toBe(false);
  });

  it('hands an error passed, thrown or rejected to the error handlers, skipping the rest', async () => {
    for (const [failing, message] of [
      [(_req: Request, _res: Response, next: NextFunction) => next(new Error('passed')), 'passed'],
      [() => {
        throw new Error('thrown');
      }, 'thrown'],
      [async () => Promise.reject(new Error('rejected')), 'rejected'],
    ] as [express.RequestHandler, string][]) {
      const app = express();
      let after = false;
      app.use(chain(failing, (_req, _res, next) => ((after = true), next())));
      app.get('/', (_req, res) => void res.send('page'));
      withErrors(app);
      expect(await serve(app)).toEqual({ status: 500, text: `error: ${message}` });
      expect(after).toBe(false);
    }
  });
});

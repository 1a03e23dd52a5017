import type { Express } from 'express';
import type { Deps } from '../deps.ts';

/** /healthz and /readyz, as two routes of the app itself: other requests are not taken through a router of their own. */
export function healthRoutes(r: Express, deps: Deps): void {
  r.get('/healthz', (_req, res) => {
    res.type('text/plain').send('ok');
  });
  r.get('/readyz', async (req, res) => {
    try {
      await Promise.race([
        deps.ping(),
        new Promise((_, reject) => setTimeout(() => reject(new Error('timeout')), 2000).unref()),
      ]);
      res.type('text/plain').send('ready');
    } catch (err) {
      req.log.warn({ err: (err as Error).message }, 'database not reachable');
      res.status(503).type('text/plain').send('database unreachable');
    }
  });
}

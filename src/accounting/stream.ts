// Writes an export to the response chunk by chunk, waiting for the socket to drain: memory stays
// bounded by one batch whatever the file's size. A client that goes away stops the reading.
import type { Response } from 'express';

export async function sendChunks(res: Response, filename: string, type: string, chunks: AsyncIterable<string>): Promise<void> {
  res.setHeader('Content-Disposition', `attachment; filename="${filename.replace(/[^\w.-]/g, '_')}"`);
  res.setHeader('Cache-Control', 'no-store');
  res.type(type);
  try {
    for await (const chunk of chunks) {
      if (res.destroyed) return;
      if (!res.write(chunk)) {
        await new Promise<void>((resolve) => {
          const done = () => {
            res.off('drain', done);
            res.off('close', done);
            resolve();
          };
          res.on('drain', done);
          res.on('close', done);
        });
      }
    }
    res.end();
  } catch (err) {
    // Headers are gone: a truncated file must not look complete.
    if (res.headersSent) res.destroy(err as Error);
    else throw err;
  }
}

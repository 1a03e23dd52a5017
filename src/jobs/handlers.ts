// The job kinds the worker knows, wired to their services.
import type { Deps } from '../deps.ts';
import type { JobHandler } from './worker.ts';
import type { OutgoingMail } from '../mail/mailer.ts';
import { runRetention } from '../privacy/retention.ts';
import { sendPasswordReset } from '../accounts/service.ts';
import { enqueue } from './queue.ts';

export function jobHandlers(deps: Deps): Record<string, JobHandler> {
  return {
    email: async (payload: OutgoingMail) => {
      // A member erased after the mail was queued gets nothing, and nothing is kept.
      if (payload.memberId) {
        const m = await deps.db.member.findUnique({ where: { id: payload.memberId }, select: { erasedAt: true } });
        if (!m || m.erasedAt) return;
      }
      await deps.mailer.send(payload);
    },
    'password-reset': async (payload: { email: string }) => sendPasswordReset(deps, payload.email),
    retention: async () => {
      await runRetention(deps);
    },
  };
}

/** Queues today's retention run; the unique key makes it once a day whatever the number of processes. */
export async function scheduleDaily(deps: Deps): Promise<void> {
  const now = deps.clock.now();
  const day = now.toISOString().slice(0, 10);
  await enqueue(deps.db, { kind: 'retention', payload: {}, uniqueKey: `retention:${day}`, at: now });
}

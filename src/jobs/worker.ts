// Runs jobs: claims with FOR UPDATE SKIP LOCKED (several processes, each job once), retries with
// exponential backoff, marks a job DEAD after maxAttempts, and recovers jobs of a crashed worker.
import { randomUUID } from 'node:crypto';
import type { Db } from '../db/connect.ts';
import type { Clock } from '../core/clock.ts';
import type { Logger } from '../logger.ts';
import type { Job } from '../generated/prisma/client.ts';
import type { Deps } from '../deps.ts';
import { connectionFailure } from '../db/connection-failure.ts';

export type JobHandler = (payload: unknown, job: Job) => Promise<void>;

export interface WorkerOptions {
  db: Db;
  clock: Clock;
  logger: Logger;
  handlers: Record<string, JobHandler>;
  batchSize?: number;
  pollMs?: number;
  /** A RUNNING job locked longer than this belonged to a worker that died: it is run again. */
  staleAfterMs?: number;
  baseBackoffMs?: number;
  /**
   * Job kinds run in order per member: a job of these kinds waits while an earlier one of these
   * kinds for the same member is pending or running (a retried change is never overtaken).
   */
  orderedKinds?: string[];
}

/** Thrown by a handler: the job is dead at once (retrying the same request cannot succeed). */
export class PermanentJobError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PermanentJobError';
  }
}

/** Thrown by a handler: run the job again at `at` (a 429's Retry-After); the attempt is not counted. */
export class RetryAtError extends Error {
  constructor(
    readonly at: Date,
    message: string,
  ) {
    super(message);
    this.name = 'RetryAtError';
  }
}

export function backoffMs(attempts: number, base = 5000): number {
  return Math.min(base * 2 ** (attempts - 1), 6 * 3600 * 1000);
}

/** Error text kept on a job, with e-mail addresses masked (SMTP errors echo recipients). */
export function scrubError(err: unknown): string {
  const text = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  return text.replace(/[^\s@<>"']+@[^\s@<>"']+/g, '[adresse]').slice(0, 500);
}

export class Worker {
  readonly id = `worker-${randomUUID().slice(0, 8)}`;
  private timer?: NodeJS.Timeout;
  private running?: Promise<number>;
  private stopped = true;

  constructor(private readonly opts: WorkerOptions) {}

  /** Claims and runs one batch of due jobs; returns how many ran. */
  async runOnce(): Promise<number> {
    const { db, clock, handlers } = this.opts;
    const now = clock.now();
    const stale = new Date(now.getTime() - (this.opts.staleAfterMs ?? 10 * 60 * 1000));
    await db.$executeRaw`UPDATE "Job" SET status = 'PENDING', "lockedAt" = NULL, "lockedBy" = NULL
      WHERE status = 'RUNNING' AND "lockedAt" < ${stale}`;
    // Ordered kinds: only the oldest open job of a member is claimable ('-' matches no kind).
    const ordered = this.opts.orderedKinds?.length ? this.opts.orderedKinds : ['-'];
    const jobs = await db.$queryRaw<Job[]>`
      UPDATE "Job" SET status = 'RUNNING', "lockedAt" = ${now}, "lockedBy" = ${this.id}, attempts = attempts + 1
      WHERE id IN (
        SELECT j.id FROM "Job" j WHERE j.status = 'PENDING' AND j."runAt" <= ${now}
          AND (j."memberId" IS NULL OR j.kind <> ALL(${ordered}::text[]) OR NOT EXISTS (
            SELECT 1 FROM "Job" e WHERE e."memberId" = j."memberId" AND e.kind = ANY(${ordered}::text[])
              AND e.status IN ('PENDING', 'RUNNING') AND e.id < j.id))
        ORDER BY j."runAt", j.id LIMIT ${this.opts.batchSize ?? 10}
        FOR UPDATE SKIP LOCKED)
      RETURNING *`;
    jobs.sort((a, b) => a.runAt.getTime() - b.runAt.getTime() || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    for (const job of jobs) {
      const handler = handlers[job.kind];
      try {
        if (!handler) throw new Error(`no handler for job kind ${job.kind}`);
        await handler(job.payload, job);
        await db.job.updateMany({
          where: { id: job.id, lockedBy: this.id },
          // The payload (addresses, links) is not needed once the job is done. Who took it and
          // when stay: the member's export shows both (« pris le », « pris par »).
          data: { status: 'DONE', finishedAt: clock.now(), lastError: null, payload: {} },
        });
      } catch (err) {
        if (err instanceof RetryAtError) {
          this.opts.logger.warn({ jobId: String(job.id), kind: job.kind, retryAt: err.at.toISOString() }, 'job asked to retry later');
          await db.job.updateMany({
            where: { id: job.id, lockedBy: this.id },
            data: { status: 'PENDING', attempts: { decrement: 1 }, lockedAt: null, lockedBy: null, lastError: scrubError(err), runAt: err.at },
          });
          continue;
        }
        const dead = job.attempts >= job.maxAttempts || err instanceof PermanentJobError;
        this.opts.logger.warn({ jobId: String(job.id), kind: job.kind, attempts: job.attempts, dead }, 'job failed');
        await db.job.updateMany({
          where: { id: job.id, lockedBy: this.id },
          data: {
            status: dead ? 'DEAD' : 'PENDING',
            ...(dead ? { payload: {} } : {}),
            lockedAt: null,
            lockedBy: null,
            lastError: scrubError(err),
            finishedAt: dead ? clock.now() : null,
            runAt: new Date(clock.now().getTime() + backoffMs(job.attempts, this.opts.baseBackoffMs)),
          },
        });
      }
    }
    return jobs.length;
  }

  /** Runs until no job is due (tests and scripts). */
  async drain(max = 1000): Promise<number> {
    let total = 0;
    for (let n = await this.runOnce(); n > 0 && total < max; n = await this.runOnce()) total += n;
    return total;
  }

  start(): void {
    this.stopped = false;
    const tick = async () => {
      if (this.stopped) return;
      this.running = this.runOnce().catch((err) => {
        // An unreachable database is an outage the worker rides out by polling again, not a bug.
        this.opts.logger[connectionFailure(err) ? 'warn' : 'error']({ err: scrubError(err) }, 'worker tick failed');
        return 0;
      });
      const n = await this.running;
      if (!this.stopped) this.timer = setTimeout(tick, n > 0 ? 0 : (this.opts.pollMs ?? 1000));
    };
    this.timer = setTimeout(tick, 0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }
}

/** The job kinds the modules declare as ordered per member (defineJob's `orderedPerMember`). */
export function registryOrderedKinds(deps: Deps): string[] {
  return Object.entries(deps.registry.jobs).filter(([, job]) => job.orderedPerMember).map(([kind]) => kind);
}

/** The handlers of every job kind the modules declare, bound to the app's dependencies. */
export function registryHandlers(deps: Deps): Record<string, JobHandler> {
  return Object.fromEntries(Object.entries(deps.registry.jobs).map(([kind, job]) => [kind, (payload: unknown) => job.execute(deps, payload)]));
}

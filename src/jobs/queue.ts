// The outbox: jobs are written in the same transaction as the change that causes them.
import type { Db } from '../db/connect.ts';
import type { Prisma } from '../generated/prisma/client.ts';

export type Tx = Pick<Db, 'job'>;

export interface JobInput {
  kind: string;
  payload: Prisma.InputJsonValue;
  /** The injected clock's now: the job's creation time, and its due time unless runAt says later. */
  at: Date;
  memberId?: string | null;
  runAt?: Date;
  maxAttempts?: number;
  /** At most one job ever exists with a given key (recurring jobs use the day). */
  uniqueKey?: string;
}

export async function enqueue(tx: Tx, job: JobInput): Promise<void> {
  const data = {
    kind: job.kind,
    payload: job.payload,
    memberId: job.memberId ?? null,
    runAt: job.runAt ?? job.at,
    createdAt: job.at,
    maxAttempts: job.maxAttempts,
    uniqueKey: job.uniqueKey,
  };
  if (job.uniqueKey) {
    await tx.job.upsert({ where: { uniqueKey: job.uniqueKey }, create: data, update: {} });
  } else {
    await tx.job.create({ data });
  }
}

// Single-use tokens sent by e-mail: only their SHA-256 is stored.
import { createHash, randomBytes } from 'node:crypto';
import type { Db } from '../db/connect.ts';
import type { TokenPurpose } from '../generated/prisma/client.ts';

export const TOKEN_TTL_MS: Record<TokenPurpose, number> = {
  CONFIRM_EMAIL: 24 * 3600_000,
  RESET_PASSWORD: 3600_000,
};

export const hashToken = (token: string): string => createHash('sha256').update(token).digest('hex');

export async function issueToken(
  tx: Pick<Db, 'memberToken'>,
  memberId: string,
  purpose: TokenPurpose,
  now: Date,
  email?: string,
): Promise<string> {
  const token = randomBytes(32).toString('base64url');
  // A new link replaces the previous ones of the same purpose.
  await tx.memberToken.deleteMany({ where: { memberId, purpose } });
  await tx.memberToken.create({
    data: {
      memberId,
      purpose,
      tokenHash: hashToken(token),
      email,
      expiresAt: new Date(now.getTime() + TOKEN_TTL_MS[purpose]),
      createdAt: now,
    },
  });
  return token;
}

/** Marks the token used and returns it, or null when it is unknown, used or expired. */
export async function consumeToken(tx: Pick<Db, 'memberToken'>, token: string, purpose: TokenPurpose, now: Date) {
  const row = await tx.memberToken.findUnique({ where: { tokenHash: hashToken(token) } });
  if (!row || row.purpose !== purpose || row.usedAt || row.expiresAt <= now) return null;
  const claimed = await tx.memberToken.updateMany({ where: { id: row.id, usedAt: null }, data: { usedAt: now } });
  return claimed.count === 1 ? row : null;
}

// Recognises "the database cannot be reached right now" among the errors Prisma, its pg adapter and
// pg throw, so the site answers 503 and retries later instead of reporting a bug. The shapes were
// found by cutting a TCP proxy in front of PostgreSQL (test/infra.test.ts):
// - server refused: PrismaClientKnownRequestError P1001 (models) or P2010 (raw queries), with
//   meta.driverAdapterError.cause.kind = 'DatabaseNotReachable';
// - pooled connection cut: a plain Error "Connection terminated unexpectedly" (pg), no code;
// - backend killed by the server: P2010 with cause { kind: 'postgres', code: '57P01' }.

// Prisma: can't reach server, timed out, server closed the connection, pool timeout.
const PRISMA_CODES = new Set(['P1001', 'P1002', 'P1017', 'P2024']);
const ADAPTER_KINDS = new Set(['DatabaseNotReachable', 'ConnectionClosed', 'SocketTimeout', 'TooManyConnections']);
// SQLSTATE class 08 (connection exception), 57P01–57P03 (shutdown, crash, not accepting yet), 53300 (too many connections).
const SQLSTATE = /^(?:08|57P0[123]$|53300$)/;
const SOCKET_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
]);
const PG_MESSAGES =
  /^(?:Connection terminated|Client has encountered a connection error|timeout exceeded when trying to connect)/;

interface ErrorShape {
  code?: unknown;
  errorCode?: unknown;
  severity?: unknown;
  message?: unknown;
  cause?: unknown;
  meta?: { driverAdapterError?: { cause?: { kind?: unknown; code?: unknown } } };
}

/** A short description of the connection failure (for the log), or null when err is something else. */
export function connectionFailure(err: unknown, depth = 0): string | null {
  if (!err || typeof err !== 'object' || depth > 3) return null;
  const e = err as ErrorShape;
  const cause = e.meta?.driverAdapterError?.cause;
  if (cause && typeof cause.kind === 'string') {
    if (ADAPTER_KINDS.has(cause.kind)) return cause.kind;
    if (cause.kind === 'postgres' && typeof cause.code === 'string' && SQLSTATE.test(cause.code))
      return `SQLSTATE ${cause.code}`;
  }
  if (typeof e.code === 'string') {
    if (PRISMA_CODES.has(e.code) || SOCKET_CODES.has(e.code)) return e.code;
    if (typeof e.severity === 'string' && SQLSTATE.test(e.code)) return `SQLSTATE ${e.code}`;
  }
  if (typeof e.errorCode === 'string' && PRISMA_CODES.has(e.errorCode)) return e.errorCode;
  if (typeof e.message === 'string' && PG_MESSAGES.test(e.message)) return e.message.slice(0, 80);
  return connectionFailure(e.cause, depth + 1);
}

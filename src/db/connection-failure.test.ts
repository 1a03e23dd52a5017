import { describe, expect, it } from 'vitest';
import { connectionFailure } from './connection-failure.ts';

// Shapes as observed against PostgreSQL 15 with @prisma/adapter-pg 7.10 (see the file's header).
const known = (code: string, cause: Record<string, unknown>) =>
  Object.assign(new Error('Invalid invocation'), {
    name: 'PrismaClientKnownRequestError',
    code,
    clientVersion: '7.10.1',
    meta: { driverAdapterError: { name: 'DriverAdapterError', cause } },
  });

describe('connection failures', () => {
  it('recognises a refused server, a cut pooled connection and a killed backend', () => {
    expect(connectionFailure(known('P1001', { kind: 'DatabaseNotReachable', host: '127.0.0.1', port: 5432 }))).toBe(
      'DatabaseNotReachable',
    );
    expect(connectionFailure(known('P2010', { kind: 'DatabaseNotReachable', host: '127.0.0.1', port: 5432 }))).toBe(
      'DatabaseNotReachable',
    );
    expect(
      connectionFailure(Object.assign(new Error('Connection terminated unexpectedly'), { clientVersion: '7.10.1' })),
    ).toBe('Connection terminated unexpectedly');
    expect(
      connectionFailure(
        known('P2010', {
          kind: 'postgres',
          code: '57P01',
          severity: 'FATAL',
          message: 'terminating connection due to administrator command',
        }),
      ),
    ).toBe('SQLSTATE 57P01');
    expect(
      connectionFailure(
        Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), {
          code: 'ECONNREFUSED',
          syscall: 'connect',
          errno: -111,
        }),
      ),
    ).toBe('ECONNREFUSED');
    expect(connectionFailure(new Error('wrapped', { cause: known('P1001', { kind: 'DatabaseNotReachable' }) }))).toBe(
      'DatabaseNotReachable',
    );
  });

  it('leaves every other error to the 500 page: bugs stay visible', () => {
    expect(connectionFailure(known('P2002', { kind: 'UniqueConstraintViolation' }))).toBeNull();
    expect(connectionFailure(known('P2010', { kind: 'postgres', code: '22021', severity: 'ERROR' }))).toBeNull();
    expect(connectionFailure(known('P2010', { kind: 'postgres', code: '42P01', severity: 'ERROR' }))).toBeNull();
    expect(connectionFailure(new Error('PGlite is closed'))).toBeNull();
    expect(connectionFailure(new TypeError('x is undefined'))).toBeNull();
    expect(connectionFailure(Object.assign(new Error('timeout'), { code: '08P01' }))).toBeNull(); // no severity: not a PostgreSQL error
    expect(connectionFailure('Connection terminated unexpectedly')).toBeNull();
    expect(connectionFailure(null)).toBeNull();
  });
});

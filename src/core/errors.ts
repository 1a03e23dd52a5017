// Typed errors thrown by services. The HTTP layer maps them to French pages, or puts their message
// beside the form field they name (`field`) when a form is re-rendered.
export class AppError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly field?: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}
export class NotFoundError extends AppError {
  constructor(message = 'Page introuvable.', field?: string) {
    super(message, 404, field);
  }
}
export class ForbiddenError extends AppError {
  constructor(message = 'Vous n’avez pas accès à cette page.', field?: string) {
    super(message, 403, field);
  }
}
export class ConflictError extends AppError {
  constructor(message: string, field?: string) {
    super(message, 409, field);
  }
}
export class ValidationError extends AppError {
  constructor(message: string, field?: string) {
    super(message, 422, field);
  }
}
export class TooManyRequestsError extends AppError {
  constructor(message = 'Trop de tentatives. Réessayez dans quelques minutes.', field?: string) {
    super(message, 429, field);
  }
}

/** A unique-index violation reported by Prisma (idempotency keys, unique e-mail addresses). */
export function isUniqueViolation(err: unknown): boolean {
  return (err as { code?: string } | null)?.code === 'P2002';
}

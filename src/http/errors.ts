// Typed errors thrown by services; one middleware maps them to French pages.
export class AppError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
    this.name = new.target.name;
  }
}
export class NotFoundError extends AppError {
  constructor(message = 'Page introuvable.') {
    super(message, 404);
  }
}
export class ForbiddenError extends AppError {
  constructor(message = 'Vous n’avez pas accès à cette page.') {
    super(message, 403);
  }
}
export class ConflictError extends AppError {
  constructor(message: string) {
    super(message, 409);
  }
}
export class ValidationError extends AppError {
  constructor(message: string) {
    super(message, 422);
  }
}
export class TooManyRequestsError extends AppError {
  constructor(message = 'Trop de tentatives. Réessayez dans quelques minutes.') {
    super(message, 429);
  }
}

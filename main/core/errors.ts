/**
 * The one error type the core throws on purpose. The dispatcher turns it into
 * `{ ok: false, error }`; anything else becomes an 'internal' error and is logged.
 */
import type { ApiError, ErrorCode } from '../../shared/result.js';

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly details: readonly string[] | undefined;

  constructor(code: ErrorCode, message: string, details?: readonly string[]) {
    super(message);
    this.name = 'AppError';
    this.code = code;
    this.details = details;
  }

  toApiError(): ApiError {
    return this.details ? { code: this.code, message: this.message, details: this.details } : { code: this.code, message: this.message };
  }
}

export function invalidInput(message: string, details?: readonly string[]): AppError {
  return new AppError('invalid-input', message, details);
}

export function notFound(message: string): AppError {
  return new AppError('not-found', message);
}

export function forbidden(message: string): AppError {
  return new AppError('forbidden', message);
}

export function conflict(message: string): AppError {
  return new AppError('conflict', message);
}

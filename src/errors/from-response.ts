import {
  ApiError,
  type ApiErrorInit,
  BadRequestError,
  ConflictError,
  NotFoundError,
  PermissionDeniedError,
  RateLimitError,
  ServerError,
} from './api-error.js';

/** The one place that maps a non-2xx status that is not a key error to its error class. */
export function apiErrorFor(init: ApiErrorInit): ApiError {
  const { status } = init;
  if (status === 400 || status === 422) return new BadRequestError(init);
  if (status === 403) return new PermissionDeniedError(init);
  if (status === 404) return new NotFoundError(init);
  if (status === 409) return new ConflictError(init);
  if (status === 429) return new RateLimitError(init);
  if (status >= 500) return new ServerError(init);
  return new ApiError(init);
}

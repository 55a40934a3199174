/**
 * What a test expects of a call through the contract: `ok` gives the value of a call that must
 * succeed (failing with the error's code, message and details), `refused` checks that a call was
 * refused with the code and a message matching, and gives the error (its message and details).
 */
import assert from 'node:assert/strict';
import type { ApiError, ApiResult, ErrorCode } from '../../../shared/result.js';

/** The value of a call that must succeed; a refusal fails the test with its code, message and details. */
export async function ok<T>(promise: Promise<ApiResult<T>>): Promise<T> {
  const result = await promise;
  if (!result.ok) assert.fail(`${result.error.code}: ${result.error.message}${result.error.details?.length ? `\n${result.error.details.join('\n')}` : ''}`);
  return result.value;
}

/** The error of a call that must be refused with `code` and a message matching `message`. */
export async function refused(promise: Promise<ApiResult<unknown>>, code: ErrorCode, message: RegExp): Promise<ApiError> {
  const result = await promise;
  if (result.ok) assert.fail(`expected ${code} matching ${message}, got success: ${JSON.stringify(result.value)}`);
  assert.equal(result.error.code, code, result.error.message);
  assert.match(result.error.message, message);
  return result.error;
}

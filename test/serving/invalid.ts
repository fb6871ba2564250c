/** Shared by the serving codec suites: the InvalidError a call throws, checked to be a 400 INVALID_ARGUMENT. */
import { expect } from 'vitest';
import { InvalidError } from '../../src/core/errors.js';

export function invalid(fn: () => unknown): InvalidError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidError);
    const e = error as InvalidError;
    expect(e.status).toBe(400);
    expect(e.code).toBe('INVALID_ARGUMENT');
    return e;
  }
  throw new Error('expected an InvalidError');
}

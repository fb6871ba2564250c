/** Ids are ULIDs: 26 Crockford base32 characters, sortable by creation even within one millisecond. */
import { describe, expect, it } from 'vitest';
import { isId, newId } from '../../src/core/ids.js';

describe('ids', () => {
  it('are unique, well-formed and sort in creation order', () => {
    const ids = Array.from({ length: 5000 }, () => newId(1_700_000_000_000));
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.every(isId)).toBe(true);
    expect([...ids].sort()).toEqual(ids);
    const later = newId(1_700_000_000_001);
    expect(later > ids.at(-1)!).toBe(true);
  });

  it('never sort backwards, even when the clock does', () => {
    const now = newId(1_800_000_000_000);
    expect(newId(1_000_000_000_000) > now).toBe(true);
  });

  it('encode the time in the first ten characters', () => {
    // The largest 48-bit time (this makes later ids in this process use it too: run it last).
    expect(newId(2 ** 48 - 1).slice(0, 10)).toBe('7ZZZZZZZZZ');
    expect(isId('01ARZ3NDEKTSV4RRFFQ69G5FAV')).toBe(true);
    expect(isId('01arz3ndektsv4rrffq69g5fav')).toBe(false);
    expect(isId('demo')).toBe(false);
  });
});

/**
 * Opaque, sortable identifiers: ULIDs (48-bit millisecond time + 80 random bits, Crockford base32).
 * Monotonic within a millisecond so ids made by one process sort in creation order, which keyset
 * pagination ("newest first") relies on.
 */
import { randomFillSync } from 'node:crypto';

const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const ID_PATTERN = /^[0-9A-HJKMNP-TV-Z]{26}$/;

let lastTime = -1;
let lastRandom = new Uint8Array(10);
// Random bytes are drawn 4 KiB at a time: one call into the CSPRNG per 400 ids, not per id.
const pool = new Uint8Array(4096);
let poolOffset = pool.length;

export function newId(now: number = Date.now()): string {
  if (now <= lastTime) {
    incrementRandom(lastRandom);
  } else {
    lastTime = now;
    if (poolOffset + 10 > pool.length) {
      randomFillSync(pool);
      poolOffset = 0;
    }
    lastRandom = pool.slice(poolOffset, poolOffset + 10);
    poolOffset += 10;
  }
  return encodeTime(lastTime) + encodeRandom(lastRandom);
}

export function isId(value: string): boolean {
  return ID_PATTERN.test(value);
}

function encodeTime(time: number): string {
  let out = '';
  let rest = time;
  for (let i = 0; i < 10; i++) {
    out = ALPHABET[rest % 32] + out;
    rest = Math.floor(rest / 32);
  }
  return out;
}

function encodeRandom(bytes: Uint8Array): string {
  // 80 bits -> 16 base32 characters, most significant first.
  let out = '';
  let buffer = 0;
  let bits = 0;
  for (const byte of bytes) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += ALPHABET[(buffer >> (bits - 5)) & 31];
      bits -= 5;
    }
    buffer &= (1 << bits) - 1;
  }
  return out;
}

function incrementRandom(bytes: Uint8Array): void {
  for (let i = bytes.length - 1; i >= 0; i--) {
    if (bytes[i] !== 255) {
      bytes[i] = bytes[i]! + 1;
      return;
    }
    bytes[i] = 0;
  }
}

/** The running Slipway's version, from package.json (the same file in src/ and dist/ layouts). */
import { readFileSync } from 'node:fs';

export const SLIPWAY_VERSION: string = (
  JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }
).version;

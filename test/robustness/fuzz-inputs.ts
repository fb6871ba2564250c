/**
 * fast-check arbitraries for fuzzing the HTTP API: hostile strings and numbers, JSON values shaped
 * almost like a route's body, malformed JSON text, odd content types, oversized bodies and path
 * parameters full of unicode, %-escapes and slashes.
 */
import fc from 'fast-check';

/** The server under fuzz runs with SLIPWAY_MAX_BODY_BYTES at this size. */
export const BODY_LIMIT = 64 * 1024;

/** Path parameters and names the fuzzer must never produce: they address the fixture. */
export function isReserved(decoded: string): boolean {
  const folded = decoded.trim().toLowerCase();
  return folded.includes('fixture') || folded === 'admin';
}

const NASTY_STRINGS = [
  '',
  ' ',
  '\u0000',
  'a\u0000b',
  '\ud800',
  '\udfff\ud800',
  '😀',
  'e\u0301',
  'İ',
  'ß',
  '\u212a',
  '\u202e',
  '\ufeff',
  '%00',
  '%2F',
  '../..',
  '..',
  '.',
  'a/b',
  'a//b',
  '/a',
  'a/',
  '\\',
  '\n',
  '\r\n',
  '\t',
  '"',
  "'",
  "' or '1'='1",
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a template placeholder is the hostile input
  '${x}',
  '__proto__',
  'constructor',
  'null',
  'NaN',
  'Infinity',
  '-Infinity',
  '2026-01-31T12:00:00.000Z',
  '0000-01-01T00:00:00Z',
  '+275760-09-13T00:00:00.000Z',
  '9999',
] as const;

/** Strings of every kind: ascii, graphemes, raw UTF-16 (lone surrogates), the nasty list, huge ones. */
export const anyString: fc.Arbitrary<string> = fc.oneof(
  { arbitrary: fc.string({ maxLength: 40 }), weight: 4 },
  { arbitrary: fc.string({ unit: 'grapheme', maxLength: 20 }), weight: 2 },
  { arbitrary: fc.string({ unit: 'binary', maxLength: 20 }), weight: 2 },
  { arbitrary: fc.constantFrom(...NASTY_STRINGS), weight: 3 },
  {
    arbitrary: fc
      .tuple(fc.constantFrom('x', 'é', '€', '😀', '\u0000'), fc.integer({ min: 100, max: 20_000 }))
      .map(([unit, count]) => unit.repeat(count)),
    weight: 1,
  },
);

/** Names that often pass (and then collide), often do not. */
export const nameLike: fc.Arbitrary<string> = fc
  .oneof(
    { arbitrary: fc.stringMatching(/^[a-z0-9][a-z0-9._-]{0,12}$/), weight: 3 },
    { arbitrary: fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._-]{0,12}$/), weight: 1 },
    { arbitrary: fc.constantFrom('a'.repeat(128), 'b'.repeat(129), ' padded ', 'x'), weight: 1 },
    { arbitrary: anyString, weight: 2 },
  )
  .filter((name) => !isReserved(name));

/** Param, tag and metric keys: mostly valid, sometimes at or over each rule's edge. */
export const keyLike: fc.Arbitrary<string> = fc.oneof(
  { arbitrary: fc.stringMatching(/^[a-z][a-z0-9_]{0,6}$/), weight: 4 },
  { arbitrary: fc.stringMatching(/^[A-Za-z0-9_\-. /:]{1,12}$/), weight: 2 },
  {
    arbitrary: fc.constantFrom('/a', 'a/', 'a//b', '.', '..', 'a/../b', 'k'.repeat(250), 'k'.repeat(251)),
    weight: 1,
  },
  { arbitrary: anyString, weight: 2 },
);

/** Numbers JSON can carry, and the strings that stand for the ones it cannot. */
export const numberLike: fc.Arbitrary<number | string> = fc.oneof(
  fc.integer(),
  fc.integer({ min: -1000, max: 1000 }),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.constantFrom(1e308, -1e308, 5e-324, 2 ** 53, 2 ** 53 + 2, -(2 ** 53) - 2, 0.5, -1),
  fc.constantFrom('NaN', 'Infinity', '-Infinity', 'nan', '1', ''),
);

/** A JSON value of any type (for wrong-type fields). */
export const anyJson: fc.Arbitrary<unknown> = fc.oneof(
  { arbitrary: fc.jsonValue({ maxDepth: 3 }), weight: 3 },
  { arbitrary: anyString, weight: 2 },
  { arbitrary: numberLike, weight: 1 },
  { arbitrary: fc.constantFrom(null, true, false, [], {}), weight: 1 },
);

/** Short text of any script (what valid requests carry). */
export const shortText: fc.Arbitrary<string> = fc.oneof(
  fc.string({ maxLength: 20 }),
  fc.string({ unit: 'grapheme', maxLength: 10 }),
);

/** Keys every key rule accepts. */
export const validKey: fc.Arbitrary<string> = fc.stringMatching(/^[a-z][a-z0-9_]{0,6}(\/[a-z0-9]{1,4})?$/);

/** Names every name rule accepts (never the fixture's). */
export const validName: fc.Arbitrary<string> = fc
  .stringMatching(/^[a-z0-9][a-z0-9._-]{0,16}$/)
  .filter((name) => !isReserved(name));

export const stringMap = (value: fc.Arbitrary<unknown>): fc.Arbitrary<Record<string, unknown>> =>
  fc.dictionary(keyLike, value, { maxKeys: 6 });

export type FieldSpec = Readonly<Record<string, fc.Arbitrary<unknown>>>;

/**
 * Objects shaped like a route's body: a random subset of its fields, each usually plausible and
 * sometimes of a wrong type, plus now and then an unknown key.
 */
export function shapedLike(fields: FieldSpec): fc.Arbitrary<Record<string, unknown>> {
  const plausibleOrWrong = Object.fromEntries(
    Object.entries(fields).map(([name, plausible]) => [
      name,
      fc.oneof({ arbitrary: plausible, weight: 8 }, { arbitrary: anyJson, weight: 1 }),
    ]),
  );
  return fc
    .tuple(
      fc.record(plausibleOrWrong, { requiredKeys: [] }),
      fc.oneof(
        { arbitrary: fc.constant(undefined), weight: 9 },
        { arbitrary: fc.dictionary(anyString, anyJson, { minKeys: 1, maxKeys: 2 }), weight: 1 },
      ),
    )
    .map(([known, extra]) => ({ ...(extra ?? {}), ...known }));
}

export interface BodyCase {
  /** undefined: no body at all. */
  readonly bytes?: Buffer;
  /** undefined: no content-type header. */
  readonly contentType?: string;
  readonly label: string;
}

const JSON_TYPES = ['application/json', 'application/json; charset=utf-8'] as const;
const OTHER_TYPES = [
  'APPLICATION/JSON',
  'application/json; charset=latin1',
  'application/json; charset=utf-16',
  'application/json;;',
  'text/plain',
  'text/plain; charset=utf-8',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=xyz',
  'application/octet-stream',
  'application/vnd.api+json',
  'application/merge-patch+json',
  '*/*',
  'garbage',
  '',
] as const;

const contentType: fc.Arbitrary<string | undefined> = fc.oneof(
  { arbitrary: fc.constantFrom(...JSON_TYPES), weight: 8 },
  { arbitrary: fc.constantFrom(...OTHER_TYPES), weight: 2 },
  { arbitrary: fc.constant(undefined), weight: 1 },
);

const RAW_NUMBERS = [
  '1e308',
  '-1e308',
  '1e400',
  '-1e400',
  '-0',
  '-0.0',
  '123456789012345678901234567890',
  '-123456789012345678901234567890',
  '0.00000000000000000000000000000000001',
  '1E5',
  '00',
  '1.',
  '.5',
  '+1',
  'NaN',
  'Infinity',
  '0x10',
] as const;

/** Malformed JSON text, and valid JSON that JSON.stringify never writes (big digits, nesting). */
const rawText = (fields: readonly string[]): fc.Arbitrary<string> => {
  const field = fc.constantFrom(...fields, 'x');
  return fc.oneof(
    fc.tuple(field, fc.constantFrom(...RAW_NUMBERS)).map(([name, number]) => `{"${name}":${number}}`),
    fc
      .constantFrom(...RAW_NUMBERS)
      .map((number) => `{"metrics":[{"key":"k","value":${number},"step":${number}}]}`),
    fc.constantFrom(...RAW_NUMBERS).map((number) => `{"params":{"p":${number}},"limit":${number}}`),
    fc
      .tuple(fc.constantFrom('[', '{"a":'), fc.constantFrom(10, 1_000, 10_000, 30_000))
      .map(([open, depth]) => `${open.repeat(depth)}1${(open === '[' ? ']' : '}').repeat(depth)}`),
    fc.constantFrom(10, 1_000, 10_000).map((depth) => `{"tags":${'['.repeat(depth)}${']'.repeat(depth)}}`),
    fc.constantFrom(
      '{',
      '}',
      '[',
      '"',
      'nul',
      'null',
      'true',
      '0',
      '"text"',
      "{'name':'x'}",
      '{"name":"x",}',
      '{"name":"x"}{"name":"y"}',
      '{"name":"x"} trailing',
      '{"name":"x"}\u0000',
      '{"name":"a","name":"b"}',
      '{"__proto__":{"polluted":true}}',
      '{"constructor":{"prototype":{"polluted":true}}}',
      '/* comment */ {}',
      '{"name":"\\ud800"}',
      '{"name":"\\u0000"}',
      '{"name":"x\u0001"}',
    ),
  );
};

/**
 * Every kind of body a client could send to a JSON route. `valid` makes bodies the route should
 * accept (undefined: the route takes no body), so that a good share of requests gets past
 * validation and into the services.
 */
export function bodyCase(fields: FieldSpec, valid: fc.Arbitrary<unknown>): fc.Arbitrary<BodyCase> {
  const names = Object.keys(fields);
  const shaped = shapedLike(fields);
  const encoded = (text: string, type: string | undefined, label: string): BodyCase => ({
    bytes: Buffer.from(text, 'utf8'),
    ...(type === undefined ? {} : { contentType: type }),
    label,
  });
  return fc.oneof(
    {
      arbitrary: fc
        .tuple(valid, fc.constantFrom(...JSON_TYPES))
        .map(
          ([v, t]): BodyCase =>
            v === undefined ? { label: 'valid, no body' } : encoded(JSON.stringify(v), t, 'valid'),
        ),
      weight: 20,
    },
    {
      arbitrary: fc.tuple(shaped, contentType).map(([v, t]) => encoded(JSON.stringify(v), t, 'shaped')),
      weight: 10,
    },
    {
      arbitrary: fc.tuple(anyJson, contentType).map(([v, t]) => encoded(JSON.stringify(v), t, 'json')),
      weight: 2,
    },
    {
      arbitrary: fc
        .tuple(fc.object({ maxDepth: 2 }), contentType)
        .map(([v, t]) => encoded(JSON.stringify(v), t, 'object')),
      weight: 1,
    },
    {
      arbitrary: fc
        .tuple(shaped, fc.nat(), fc.constantFrom('truncated', 'garbage', 'bom'))
        .map(([v, cut, how]) => {
          const text = JSON.stringify(v);
          if (how === 'truncated')
            return encoded(text.slice(0, cut % Math.max(1, text.length)), JSON_TYPES[0], how);
          if (how === 'garbage') return encoded(`${text}}x`, JSON_TYPES[0], how);
          return encoded(`\ufeff${text}`, JSON_TYPES[0], how);
        }),
      weight: 2,
    },
    {
      arbitrary: fc.tuple(rawText(names), contentType).map(([text, t]) => encoded(text, t, 'raw')),
      weight: 3,
    },
    {
      arbitrary: fc
        .tuple(fc.constantFrom(...names, 'x'), fc.integer({ min: BODY_LIMIT, max: BODY_LIMIT * 2 }))
        .map(([name, size]) => encoded(`{"${name}":"${'x'.repeat(size)}"}`, JSON_TYPES[0], 'oversized')),
      weight: 1,
    },
    {
      arbitrary: fc.constantFrom<BodyCase>(
        { label: 'no body' },
        { label: 'empty json', bytes: Buffer.alloc(0), contentType: JSON_TYPES[0] },
        { label: 'empty text', bytes: Buffer.alloc(0), contentType: 'text/plain' },
        { label: 'json type, no body', contentType: JSON_TYPES[0] },
        { label: 'binary', bytes: Buffer.from([0xff, 0xfe, 0x00, 0x7b]), contentType: JSON_TYPES[0] },
      ),
      weight: 1,
    },
  );
}

const RAW_SEGMENTS = [
  '%00',
  '%ZZ',
  '%E2%82',
  '%C0%AF',
  '%FF',
  '%2F',
  'a%2Fb',
  '%2e%2e',
  '..',
  '.',
  '~',
  '%25',
  '%20',
  'a;b',
  'A',
  '01ARZ3NDEKTSV4RRFFQ69G5FAV',
] as const;

/** One path segment, as sent (already %-encoded), for `:id` or `:idOrName`. */
export function segmentLike(known: readonly string[]): fc.Arbitrary<string> {
  return fc
    .oneof(
      { arbitrary: fc.constantFrom(...known).map(encodeSegment), weight: 20 },
      { arbitrary: fc.constantFrom(...known).map((id) => id.toLowerCase()), weight: 1 },
      { arbitrary: fc.ulid(), weight: 1 },
      { arbitrary: nameLike.map(encodeSegment), weight: 2 },
      { arbitrary: anyString.filter((s) => s.length < 3000).map(encodeSegment), weight: 2 },
      { arbitrary: fc.constantFrom(...RAW_SEGMENTS), weight: 2 },
      { arbitrary: fc.integer({ min: 90, max: 2_000 }).map((n) => 'a'.repeat(n)), weight: 1 },
      { arbitrary: fc.constant('a/b'), weight: 1 },
    )
    .filter((segment) => !isReserved(safeDecode(segment)));
}

/** An artifact path (the route's wildcard), as sent. */
export const artifactPathLike: fc.Arbitrary<string> = fc.oneof(
  {
    arbitrary: fc
      .array(fc.stringMatching(/^[a-z0-9._-]{1,8}$/), { minLength: 1, maxLength: 4 })
      .map((parts) => parts.join('/')),
    weight: 4,
  },
  {
    arbitrary: fc
      .array(
        fc.oneof(
          anyString.filter((s) => s.length < 500).map(encodeSegment),
          fc.constantFrom(...RAW_SEGMENTS, ''),
        ),
        {
          minLength: 1,
          maxLength: 4,
        },
      )
      .map((parts) => parts.join('/')),
    weight: 3,
  },
);

/** encodeURIComponent, after replacing lone surrogates (which no URL can carry) with U+FFFD. */
export function encodeSegment(text: string): string {
  return encodeURIComponent(text.replace(/[\uD800-\uDFFF]/gu, '\uFFFD'));
}

export function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/**
 * fast-check arbitraries of HTTP requests, generated from the API's own OpenAPI document (what
 * `/api/docs-json` serves), for the route fuzz (test/route-fuzz.e2e-spec.ts). For one operation (path ×
 * method) it draws:
 *
 * - path parameters: values the caller knows exist (`known`), values from the schema, or hostile text, and
 *   now and then a raw segment that is not valid percent-encoding (`%`, `%ZZ`, `%C0%AF`…);
 * - query parameters: any subset of the declared ones, valid or hostile values, sometimes an unknown or a
 *   repeated parameter;
 * - the declared headers (Idempotency-Key, If-Match): valid, reused from a small pool (so keys collide), or
 *   hostile;
 * - a JSON body from the request schema: valid, one field replaced by a hostile value (boundary numbers,
 *   impossible dates, Vietnamese text, NUL, `|`, `%`, `/`, wrong JSON types, deep nesting), a required field
 *   missing, an unknown field (reserved keys included), an array or a scalar instead of the object, malformed
 *   JSON text, a body over the size limit, a wrong or odd Content-Type or Content-Encoding.
 *
 * Each request carries its `intent` (what kind of bad input it is), so the oracle can say what must follow:
 * e.g. a body missing a field the document calls required must never be answered 2xx. Written by hand
 * (docs/dependencies.md says why): it is small, knows this API's conventions, and stays inside fast-check so
 * a failure shrinks and replays from its seed and path.
 */
import fc from 'fast-check';
import { gzipSync } from 'node:zlib';

// ---------------------------------------------------------------------------------------------------------
// The part of OpenAPI 3.0 that @nestjs/swagger writes.

export interface Schema {
  type?: string;
  format?: string;
  enum?: unknown[];
  example?: unknown;
  default?: unknown;
  nullable?: boolean;
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  allOf?: Schema[];
  $ref?: string;
  description?: string;
  minimum?: number;
  maximum?: number;
}

export interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header' | 'cookie';
  required?: boolean;
  schema?: Schema;
  description?: string;
}

interface RawOperation {
  operationId?: string;
  parameters?: Parameter[];
  requestBody?: { required?: boolean; content?: Record<string, { schema?: Schema }> };
  responses?: Record<string, { description?: string }>;
  security?: unknown[];
}

export interface OpenApiDoc {
  openapi: string;
  paths: Record<string, Record<string, RawOperation>>;
  components?: { schemas?: Record<string, Schema> };
}

/** One operation (path × method) as the fuzz sees it: parameters and the JSON body schema resolved. */
export interface FuzzOperation {
  id: string;
  method: string;
  /** The templated path, e.g. `/api/dossiers/{code}/steps`. */
  path: string;
  parameters: Parameter[];
  /** The JSON request body schema ($ref and allOf resolved), when the operation declares one. */
  body?: Schema;
  /** Response status codes the document declares (e.g. `200`, `503`). */
  responses: string[];
}

const HTTP_METHODS = new Set(['get', 'put', 'post', 'delete', 'patch', 'head', 'options']);

/** `$ref` followed and `allOf` merged into one schema (the only composition Nest's generator writes). */
export function resolveSchema(doc: OpenApiDoc, s: Schema | undefined, seen: ReadonlySet<string> = new Set()): Schema {
  if (!s) return {};
  if (s.$ref) {
    const name = s.$ref.replace('#/components/schemas/', '');
    if (seen.has(name)) return { type: 'object' };
    const { $ref: _ref, ...rest } = s;
    return { ...resolveSchema(doc, doc.components?.schemas?.[name], new Set([...seen, name])), ...rest };
  }
  if (s.allOf) {
    const { allOf, ...rest } = s;
    const parts = allOf.map((p) => resolveSchema(doc, p, seen));
    const merged: Schema = { ...rest };
    for (const p of parts) {
      Object.assign(merged, { ...p, ...rest });
      if (p.properties) merged.properties = { ...merged.properties, ...p.properties };
      if (p.required) merged.required = [...(merged.required ?? []), ...p.required];
    }
    return merged;
  }
  if (s.properties) {
    return { ...s, properties: Object.fromEntries(Object.entries(s.properties).map(([k, v]) => [k, resolveSchema(doc, v, seen)])) };
  }
  if (s.items) return { ...s, items: resolveSchema(doc, s.items, seen) };
  return s;
}

/** Every operation of the document, in document order. */
export function operationsOf(doc: OpenApiDoc): FuzzOperation[] {
  const ops: FuzzOperation[] = [];
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(item)) {
      if (!HTTP_METHODS.has(method)) continue;
      const json = op.requestBody?.content?.['application/json']?.schema;
      ops.push({
        id: op.operationId ?? `${method} ${path}`,
        method: method.toUpperCase(),
        path,
        parameters: (op.parameters ?? []).map((p) => ({ ...p, schema: resolveSchema(doc, p.schema) })),
        body: json ? resolveSchema(doc, json) : undefined,
        responses: Object.keys(op.responses ?? {}),
      });
    }
  }
  return ops;
}

// ---------------------------------------------------------------------------------------------------------
// Values.

/** A JSON token written as it is (`1e400`, `-0.0`, a nested text): what JSON.stringify cannot produce. */
export class RawJson {
  constructor(readonly text: string) {}
}

/** JSON text of a value that may hold RawJson tokens and own `__proto__` keys. */
export function toJsonText(v: unknown): string {
  if (v instanceof RawJson) return v.text;
  if (Array.isArray(v)) return `[${v.map(toJsonText).join(',')}]`;
  if (v !== null && typeof v === 'object') {
    return `{${Object.keys(v)
      .map((k) => `${JSON.stringify(k)}:${toJsonText((v as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v) ?? 'null';
}

/** A copy of `obj` with `key` set as an own enumerable property, even `__proto__`. */
function withKey(obj: Record<string, unknown>, key: string, value: unknown): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(obj)) Object.defineProperty(out, k, { value: obj[k], enumerable: true, writable: true, configurable: true });
  Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
  return out;
}

const VIETNAMESE = ['Nguyễn Văn Ánh', 'Trần Thị Bích Ngọc', 'Sở Tư pháp tỉnh Hải Dương', 'Đ', 'ệ', 'ƯỚC', 'Hồ sơ thiếu bản sao CCCD', 'xã Tân Phú'];

/** Strings at the edges: empty, blank, long, control characters, path and query syntax, unicode, NaN-likes, injection. */
export const HOSTILE_STRINGS: readonly string[] = [
  '',
  ' ',
  '   padded   ',
  '\t',
  '\n',
  '\r\n',
  '\u0000',
  'a\u0000b',
  '\u0007\u001b[31m',
  '\u007f',
  '|',
  'a|b|c',
  '||',
  '%',
  '%00',
  '%ZZ',
  '%2F',
  '%E1%BB%87',
  '/',
  'a/b',
  '../../etc/passwd',
  '\\',
  '?',
  '#',
  '&',
  '=',
  ';',
  ',',
  '"',
  "'",
  '`',
  "' OR '1'='1",
  '"; DROP TABLE events; --',
  '<script>alert(1)</script>',
  '${7*7}',
  '{{7*7}}',
  '__proto__',
  'constructor',
  'toString',
  'hasOwnProperty',
  'null',
  'undefined',
  'true',
  'NaN',
  '-NaN',
  'Infinity',
  '-Infinity',
  '1e309',
  '-0',
  '0x1F',
  '1_000',
  '1.5',
  '-1',
  '0',
  '00',
  '9'.repeat(40),
  '[]',
  '{}',
  '\u202eevil',
  '\u200b',
  '\ufeff',
  '\ud800',
  '\udfff',
  'e\u0301',
  '😀',
  '👨‍👩‍👧‍👦',
  '\uffff',
  'ＡＢＣ１２３',
  'x'.repeat(64),
  'x'.repeat(65),
  'x'.repeat(129),
  'x'.repeat(201),
  'x'.repeat(2001),
  'ệ'.repeat(300),
  ...VIETNAMESE,
];

/** Dates and instants that look right and are not, or are at the edges of what JavaScript dates hold. */
export const HOSTILE_DATES: readonly string[] = [
  '2026-02-30',
  '2026-02-30T10:00:00+07:00',
  '2025-02-29T10:00:00+07:00',
  '2024-02-29T10:00:00+07:00',
  '2025-13-01',
  '2025-00-10',
  '2025-06-31',
  '2025-06-00',
  '2025-06-30T24:00:00+07:00',
  '2025-06-30T23:60:00+07:00',
  '2025-06-30T23:59:60+07:00',
  '2025-06-30T10:00:00',
  '2025-06-30T10:00:00+25:00',
  '2025-06-30T10:00:00+07',
  '2025-06-30T10:00:00+0700',
  '2025-06-30 10:00:00+07:00',
  '2025-06-30T10:00:00.123456789+07:00',
  '2025-06-30T10:00:00Z[Asia/Ho_Chi_Minh]',
  '2025-06-30',
  '2025-6-3',
  '20250630',
  '30/06/2025',
  '9999-12-31',
  '9999-12-31T23:59:59+07:00',
  '9999-12-31T23:59:59.999Z',
  '0000-01-01T00:00:00Z',
  '0001-01-01',
  '1970-01-01T00:00:00Z',
  '1999-12-31T23:59:59+07:00',
  '2099-12-31T23:59:59+07:00',
  '2100-01-01T00:00:00+07:00',
  '+275760-09-13T00:00:00Z',
  '+275760-09-13T00:00:00.001Z',
  '-271821-04-20T00:00:00Z',
  '-000001-01-01T00:00:00Z',
  '1e10',
  '1719712800000',
];

/** Numbers at the edges, plus tokens JSON.stringify cannot write (overflow to ±Infinity, -0.0, long fractions). */
export const hostileNumber: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(0, -0, 1, -1, 0.5, -0.5, 0.1 + 0.2, 1e-300, 1e21, 1e308, -1e308, 2 ** 31, 2 ** 32, 2 ** 53, 2 ** 53 + 2, Number.MIN_VALUE, 3651, 100001),
  fc.constantFrom('1e400', '-1e400', '-0.0', '1E+2', '0.0000000000000000000000000001', '123456789012345678901234567890', '1.0').map((t) => new RawJson(t)),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
);

/** Values of the wrong JSON type for any field. */
export const wrongType: fc.Arbitrary<unknown> = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  fc.constant([]),
  fc.constant({}),
  fc.array(fc.oneof(fc.string({ maxLength: 5 }), fc.integer()), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 5 }), fc.string({ maxLength: 5 }), { maxKeys: 3 }),
  fc.constant({ $gt: '' }),
);

/** Nesting of `depth` objects or arrays, written as raw text (no recursion to build or serialize it). */
export function deepNest(depth: number, kind: 'object' | 'array'): RawJson {
  return kind === 'object' ? new RawJson('{"a":'.repeat(depth) + '1' + '}'.repeat(depth)) : new RawJson('['.repeat(depth) + ']'.repeat(depth));
}

export const hostileString: fc.Arbitrary<string> = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...HOSTILE_STRINGS) },
  { weight: 3, arbitrary: fc.constantFrom(...HOSTILE_DATES) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 20 }) },
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom(...VIETNAMESE), fc.constantFrom('|', '%', '/', '\u0000', ' ', '')).map(([a, b]) => a + b + a) },
);

/** Any hostile JSON value: strings, impossible dates, edge numbers, wrong types, deep nesting. */
export const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 5, arbitrary: hostileString },
  { weight: 3, arbitrary: hostileNumber },
  { weight: 2, arbitrary: wrongType },
  { weight: 1, arbitrary: fc.tuple(fc.integer({ min: 2, max: 40 }), fc.constantFrom('object' as const, 'array' as const)).map(([d, k]) => deepNest(d, k)) },
);

/** Names the caller knows good values for (existing codes, ids), by parameter or property name. */
export type Known = (name: string, where: 'path' | 'query' | 'header' | 'body', op: FuzzOperation) => readonly unknown[] | undefined;

export interface GenContext {
  op: FuzzOperation;
  known: Known;
  /** Latest instant a valid `occurredAt` may have (the server refuses instants in the future). */
  now: Date;
}

const VN_OFFSET_MS = 7 * 3_600_000;
/** `2025-06-30T10:00:00+07:00`, as a counter's client writes it. */
export function vnIso(d: Date): string {
  return new Date(d.getTime() + VN_OFFSET_MS).toISOString().slice(0, 19) + '+07:00';
}

/** A valid instant from 2025 up to a minute before `now`, in Viet Nam time or UTC. */
function validInstant(now: Date): fc.Arbitrary<string> {
  return fc
    .tuple(fc.date({ min: new Date('2025-01-01T00:00:00Z'), max: new Date(now.getTime() - 60_000), noInvalidDate: true }), fc.boolean())
    .map(([d, vn]) => (vn ? vnIso(d) : d.toISOString()));
}

function validDay(now: Date): fc.Arbitrary<string> {
  return fc.date({ min: new Date('2024-01-01T00:00:00Z'), max: now, noInvalidDate: true }).map((d) => vnIso(d).slice(0, 10));
}

/** Whether a property or parameter holds an instant or a day, by its name (the document types them as plain strings). */
const INSTANT_NAME = /(At|Before)$|^at$/;
const DAY_NAME = /^(from|to|asOf|validFrom|validTo|effectiveFrom)$/;

/** A plausible, mostly valid value for a schema: what reaches the handlers rather than the validators. */
export function validValue(s: Schema, name: string, ctx: GenContext, where: 'path' | 'query' | 'header' | 'body', depth = 0): fc.Arbitrary<unknown> {
  const known = ctx.known(name, where, ctx.op);
  let base: fc.Arbitrary<unknown>;
  if (s.enum?.length) base = fc.constantFrom(...s.enum);
  else if (s.type === 'object' || s.properties) base = depth > 4 ? fc.constant({}) : objectValue(s, ctx, depth + 1);
  else if (s.type === 'array') base = fc.array(validValue(s.items ?? {}, name, ctx, where, depth + 1), { maxLength: 3 });
  else if (s.type === 'boolean') base = fc.boolean();
  else if (s.type === 'number' || s.type === 'integer') {
    const example = typeof s.example === 'number' ? [s.example] : [];
    base = fc.oneof(fc.integer({ min: 0, max: 100 }), fc.constantFrom(0, 1, ...example));
  } else if (s.format === 'date-time' || INSTANT_NAME.test(name)) base = validInstant(ctx.now);
  else if (s.format === 'date' || DAY_NAME.test(name)) base = validDay(ctx.now);
  else {
    const examples = typeof s.example === 'string' ? [s.example] : [];
    base = fc.oneof(
      { weight: 2, arbitrary: fc.constantFrom(...VIETNAMESE, ...examples) },
      { weight: 2, arbitrary: fc.string({ minLength: 1, maxLength: 24 }).filter((x) => /\S/.test(x) && x.trim() === x) },
    );
  }
  if (s.nullable) base = fc.oneof({ weight: 4, arbitrary: base }, { weight: 1, arbitrary: fc.constant(null) });
  if (known?.length) base = fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...known) }, { weight: 1, arbitrary: base });
  return base;
}

/** A hostile value chosen for the declared type (a number field gets edge numbers and numeric strings…). */
function hostileFor(s: Schema): fc.Arbitrary<unknown> {
  if (s.type === 'number' || s.type === 'integer') {
    return fc.oneof({ weight: 4, arbitrary: hostileNumber }, { weight: 2, arbitrary: hostileString }, { weight: 1, arbitrary: wrongType });
  }
  if (s.type === 'boolean') return fc.oneof(fc.constantFrom('true', 'false', 1, 0, 'yes', '', null), wrongType);
  return hostileValue;
}

function objectValue(s: Schema, ctx: GenContext, depth: number): fc.Arbitrary<Record<string, unknown>> {
  const props = s.properties ?? {};
  const model: Record<string, fc.Arbitrary<unknown>> = {};
  for (const [k, p] of Object.entries(props)) model[k] = validValue(p, k, ctx, 'body', depth);
  const requiredKeys = (s.required ?? []).filter((k) => k in props);
  return fc.record(model, { requiredKeys }) as fc.Arbitrary<Record<string, unknown>>;
}

// ---------------------------------------------------------------------------------------------------------
// Requests.

/** What a request's body is meant to be; the oracle says which kinds can never be accepted. */
export type BodyIntent =
  | 'none'
  | 'valid'
  | 'hostile-field'
  | 'missing-required'
  | 'unknown-field'
  | 'not-an-object'
  | 'malformed'
  | 'odd-bytes'
  | 'too-deep'
  | 'too-large'
  | 'unexpected-body';

/** The media type and encoding a body is sent with, and whether the server should be able to read it. */
export type MediaIntent = 'json' | 'not-json' | 'bad-encoding' | 'gzip';

export interface AuthChoice {
  label: string;
  authorization?: string;
}

export interface FuzzRequest {
  op: string;
  method: string;
  /** The request target as sent: the path with its query string. */
  target: string;
  headers: Record<string, string>;
  body?: Buffer;
  intent: { body: BodyIntent; media: MediaIntent; auth: string };
}

/** A header value Node's HTTP client accepts: UTF-8 bytes read as Latin-1, control characters other than tab dropped. */
export function headerSafe(s: string): string {
  const latin1 = Buffer.from(s, 'utf8').toString('latin1');
  // eslint-disable-next-line no-control-regex
  return latin1.replace(/[\u0000-\u0008\u000a-\u001f\u007f]/g, '');
}

/** Percent-encoding of the text's UTF-8 bytes, as a client writes it (a lone surrogate becomes U+FFFD, as in any UTF-8 encoder). */
export function pct(s: string): string {
  return Array.from(Buffer.from(s, 'utf8'))
    .map((b) => (/[A-Za-z0-9\-_.!~*'()]/.test(String.fromCharCode(b)) ? String.fromCharCode(b) : `%${b.toString(16).toUpperCase().padStart(2, '0')}`))
    .join('');
}

/** Path segments that are not what `encodeURIComponent` would write: bad percent-encoding, dots, overlong UTF-8. */
const RAW_SEGMENTS = [
  '%',
  '%2',
  '%ZZ',
  '%00',
  '%2F',
  'a%2Fb',
  '..',
  '.',
  '%2e%2e',
  '%C0%AF',
  '%E1%BB',
  '%FF%FE',
  '%E1%BB%87',
  ';x=1',
  '~',
  '*',
  "'",
  '%25',
  '%7C',
];

function pathParamValue(p: Parameter, ctx: GenContext): fc.Arbitrary<string> {
  const text = fc.oneof(
    { weight: 5, arbitrary: validValue(p.schema ?? {}, p.name, ctx, 'path').map((v) => String(v)) },
    { weight: 3, arbitrary: hostileString },
  );
  return fc.oneof({ weight: 8, arbitrary: text.filter((v) => v !== '').map((v) => pct(v)) }, { weight: 1, arbitrary: fc.constantFrom(...RAW_SEGMENTS) });
}

const UNKNOWN_PARAMS = ['x', 'extra', '__proto__', 'constructor', 'toString', 'a[b]', 'from[]', '', ' '];

function queryString(op: FuzzOperation, ctx: GenContext): fc.Arbitrary<string> {
  const declared = op.parameters.filter((p) => p.in === 'query');
  const value = (p: Parameter) =>
    fc.oneof({ weight: 4, arbitrary: validValue(p.schema ?? {}, p.name, ctx, 'query').map((v) => String(v)) }, { weight: 2, arbitrary: hostileString });
  const encoded = (v: fc.Arbitrary<string>) =>
    fc.oneof({ weight: 8, arbitrary: v.map((x) => pct(x)) }, { weight: 1, arbitrary: fc.constantFrom('%', '%ZZ', '%00', '+', '%C0%AF', '') });
  const pairs = declared.map((p) =>
    fc.option(
      encoded(value(p)).map((v) => [`${pct(p.name)}=${v}`]),
      { freq: p.required ? 10 : 2, nil: [] as string[] },
    ),
  );
  const extras = fc.oneof(
    { weight: 6, arbitrary: fc.constant([] as string[]) },
    { weight: 1, arbitrary: fc.tuple(fc.constantFrom(...UNKNOWN_PARAMS), encoded(hostileString)).map(([k, v]) => [`${pct(k)}=${v}`]) },
    ...(declared.length
      ? [
          {
            weight: 1,
            arbitrary: fc
              .tuple(fc.constantFrom(...declared), encoded(hostileString), encoded(hostileString))
              .map(([p, a, b]) => [`${pct(p.name)}=${a}`, `${pct(p.name)}=${b}`]),
          },
          { weight: 1, arbitrary: fc.constantFrom(...declared).map((p) => [pct(p.name)]) },
        ]
      : []),
  );
  return fc.tuple(fc.tuple(...pairs), extras).map(([ps, ex]) => {
    const all = [...ps.flat(), ...ex];
    return all.length ? `?${all.join('&')}` : '';
  });
}

/** A small pool of keys, so that keys repeat across requests (replays and reuse for a different body). */
const KEY_POOL = ['fuzz-key-1', 'fuzz-key-2', 'fuzz-key-3', 'fuzz:key.4'];

function headerValue(p: Parameter): fc.Arbitrary<string | undefined> {
  const name = p.name.toLowerCase();
  let valid: fc.Arbitrary<string>;
  if (name === 'idempotency-key') {
    valid = fc.oneof(fc.constantFrom(...KEY_POOL), fc.stringMatching(/^[A-Za-z0-9._:-]{1,128}$/));
  } else if (name === 'if-match') {
    valid = fc.oneof(
      fc.integer({ min: -1, max: 12 }).map((n) => `"${n}"`),
      fc.constantFrom('*', 'W/"1"', '3'),
    );
  } else {
    valid = fc.string({ minLength: 1, maxLength: 20 });
  }
  const hostile = fc.oneof(
    hostileString,
    fc.constantFrom('"-2"', '"1.5"', '"abc"', '"99999999999999999999"', '""', '"1", "2"', 'W/', '"\u00ff"', 'x'.repeat(8000)),
  );
  return fc.option(fc.oneof({ weight: 3, arbitrary: valid }, { weight: 2, arbitrary: hostile.map(headerSafe) }), { freq: 2, nil: undefined });
}

const JSON_TYPES = ['application/json', 'application/json; charset=utf-8', 'APPLICATION/JSON', 'application/json;charset="UTF-8"'];
const OTHER_TYPES = [
  'text/plain',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'application/xml',
  'application/json; charset=utf-16',
  'application/json; charset=latin1',
  'application/octet-stream',
  'application/jsonx',
  'text/json',
  '*/*',
  'application/json garbage',
];

interface BodyDraw {
  intent: BodyIntent;
  bytes: Buffer;
}

const text = (intent: BodyIntent, s: string): BodyDraw => ({ intent, bytes: Buffer.from(s, 'utf8') });

function malformed(validText: string): fc.Arbitrary<BodyDraw> {
  return fc
    .oneof(
      fc.integer({ min: 1, max: Math.max(1, validText.length - 1) }).map((i) => validText.slice(0, i)),
      fc.constantFrom(
        '{',
        '}',
        '{"a":}',
        '{"a":1,}',
        "{'a':1}",
        '{"a":NaN}',
        '{"a":Infinity}',
        '{"a":undefined}',
        '{"a":1}/* c */',
        '{"a":1} {"b":2}',
        '{"a":"\\x41"}',
        '{"a":"\\u12"}',
        '{"a":01}',
        '{"a":.5}',
        '{"a":+1}',
        '{a:1}',
        '[1,2',
        '{"a":"b"\u0000}',
        '\u0000{}',
      ),
      fc.constant(validText + 'garbage'),
    )
    .map((s) => text('malformed', s))
    .filter((d) => {
      try {
        JSON.parse(d.bytes.toString('utf8').replace(/^\uFEFF/, ''));
        return false;
      } catch {
        return true;
      }
    });
}

function bodyDraw(op: FuzzOperation, ctx: GenContext, limit: number): fc.Arbitrary<BodyDraw | undefined> {
  const s = op.body;
  if (!s) {
    // No body declared: usually none, sometimes one anyway.
    return fc.oneof(
      { weight: 8, arbitrary: fc.constant(undefined) },
      { weight: 1, arbitrary: fc.constantFrom('{}', '{"x":1}', '[]', '{"__proto__":{"admin":true}}', 'garbage').map((t) => text('unexpected-body', t)) },
    );
  }
  const props = Object.keys(s.properties ?? {});
  const required = (s.required ?? []).filter((k) => props.includes(k));
  const valid = objectValue(s, ctx, 0);
  const arbs: { weight: number; arbitrary: fc.Arbitrary<BodyDraw> }[] = [
    { weight: 8, arbitrary: valid.map((v) => text('valid', toJsonText(v))) },
    {
      weight: 12,
      arbitrary: fc
        .tuple(valid, fc.constantFrom(...(props.length ? props : ['x'])))
        .chain(([v, k]) => hostileFor(s.properties?.[k] ?? {}).map((h) => text('hostile-field', toJsonText(withKey(v, k, h))))),
    },
    {
      weight: 2,
      arbitrary: fc
        .tuple(valid, fc.constantFrom('extra', '__proto__', 'constructor', 'prototype', 'toString', 'valueOf', 'Code', 'code ', 'a.b', ''), hostileValue)
        .filter(([, k]) => !props.includes(k))
        .map(([v, k, h]) => text('unknown-field', toJsonText(withKey(v, k, h)))),
    },
    {
      weight: 2,
      arbitrary: fc.oneof(
        valid.map((v) => text('not-an-object', `[${toJsonText(v)}]`)),
        fc.constantFrom('[]', '"text"', '42', 'null', 'true', '[null]', '[[]]').map((t) => text('not-an-object', t)),
      ),
    },
    { weight: 2, arbitrary: valid.chain((v) => malformed(toJsonText(v))) },
    {
      weight: 2,
      arbitrary: fc
        .tuple(fc.integer({ min: 33, max: 5000 }), fc.constantFrom('object' as const, 'array' as const))
        .map(([d, k]) => text('too-deep', deepNest(d, k).text)),
    },
    {
      weight: 1,
      arbitrary: valid.chain((v) =>
        fc.constantFrom(
          // Bytes that are not UTF-8 inside a string, a BOM first: the text still parses, with U+FFFD or without the BOM.
          { intent: 'odd-bytes' as const, bytes: Buffer.concat([Buffer.from('{"x":"'), Buffer.from([0xc3, 0x28, 0xff, 0xfe]), Buffer.from('"}')]) },
          { intent: 'odd-bytes' as const, bytes: Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(toJsonText(v))]) },
        ),
      ),
    },
    { weight: 1, arbitrary: valid.map((v) => text('too-large', toJsonText(withKey(v, props[0] ?? 'x', 'x'.repeat(limit + 1024))))) },
  ];
  if (required.length) {
    arbs.push({
      weight: 4,
      arbitrary: fc.tuple(valid, fc.subarray(required, { minLength: 1 })).map(([v, drop]) => {
        const out = { ...v };
        for (const k of drop) delete out[k];
        return text('missing-required', toJsonText(out));
      }),
    });
  }
  return fc.oneof(...arbs);
}

export interface RequestOptions {
  known: Known;
  auth: fc.Arbitrary<AuthChoice>;
  /** The API's body limit (BODY_LIMIT_BYTES), for bodies just over it. */
  bodyLimit: number;
  now: Date;
}

/** Requests for one operation. */
export function requestArbitrary(op: FuzzOperation, o: RequestOptions): fc.Arbitrary<FuzzRequest> {
  const ctx: GenContext = { op, known: o.known, now: o.now };
  const pathParams = op.parameters.filter((p) => p.in === 'path');
  const headerParams = op.parameters.filter((p) => p.in === 'header');
  const path = fc.tuple(...pathParams.map((p) => pathParamValue(p, ctx))).map((values) => {
    let out = op.path;
    pathParams.forEach((p, i) => (out = out.replace(`{${p.name}}`, values[i])));
    return out;
  });
  const headers = fc.tuple(...headerParams.map((p) => headerValue(p))).map((values) => {
    const h: Record<string, string> = {};
    headerParams.forEach((p, i) => {
      if (values[i] !== undefined) h[p.name] = values[i];
    });
    return h;
  });
  const correlation = fc.option(fc.oneof(fc.stringMatching(/^[A-Za-z0-9-]{1,64}$/), hostileString.map(headerSafe)), { freq: 6, nil: undefined });
  const media = fc.oneof(
    { weight: 14, arbitrary: fc.constantFrom(...JSON_TYPES).map((t) => ({ type: t as string | undefined, encoding: undefined as string | undefined })) },
    { weight: 2, arbitrary: fc.constantFrom(...OTHER_TYPES).map((t) => ({ type: t as string | undefined, encoding: undefined as string | undefined })) },
    { weight: 1, arbitrary: fc.constant({ type: undefined as string | undefined, encoding: undefined as string | undefined }) },
    {
      weight: 1,
      arbitrary: fc
        .constantFrom('gzip', 'gzip-corrupt', 'br', 'compress', 'identity')
        .map((e) => ({ type: 'application/json' as string | undefined, encoding: e })),
    },
  );
  return fc
    .record({ path, query: queryString(op, ctx), headers, correlation, auth: o.auth, body: bodyDraw(op, ctx, o.bodyLimit), media })
    .map(({ path: p, query, headers: h, correlation: cid, auth, body, media: m }): FuzzRequest => {
      const out: Record<string, string> = { ...h };
      if (auth.authorization !== undefined) out.authorization = auth.authorization;
      if (cid !== undefined) out['x-correlation-id'] = cid;
      let bytes = body?.bytes;
      let mediaIntent: MediaIntent = 'json';
      if (bytes !== undefined) {
        if (m.type !== undefined) out['content-type'] = m.type;
        if (m.type === undefined || !JSON_TYPES.includes(m.type)) mediaIntent = 'not-json';
        if (m.encoding === 'gzip') {
          bytes = gzipSync(bytes);
          out['content-encoding'] = 'gzip';
          mediaIntent = 'gzip';
        } else if (m.encoding === 'gzip-corrupt') {
          out['content-encoding'] = 'gzip';
          mediaIntent = 'bad-encoding';
        } else if (m.encoding === 'br' || m.encoding === 'compress') {
          // Plain bytes said to be compressed: Brotli cannot read them; `compress` is not supported.
          out['content-encoding'] = m.encoding;
          mediaIntent = 'bad-encoding';
        } else if (m.encoding === 'identity') {
          out['content-encoding'] = 'identity';
        }
      }
      return {
        op: op.id,
        method: op.method,
        target: p + query,
        headers: out,
        body: bytes,
        intent: { body: body?.intent ?? 'none', media: mediaIntent, auth: auth.label },
      };
    });
}

/** Bodies of these kinds are never acceptable on an operation that declares a JSON body. */
export const NEVER_ACCEPTED: ReadonlySet<BodyIntent> = new Set(['missing-required', 'unknown-field', 'not-an-object', 'malformed', 'too-deep', 'too-large']);

/** One line that says what a request was, for failure reports (bodies cut short). */
export function describeRequest(r: FuzzRequest): string {
  const body = r.body === undefined ? '' : ` body(${r.intent.body}, ${r.body.length} B)=${JSON.stringify(r.body.toString('utf8').slice(0, 300))}`;
  const headers = Object.entries(r.headers)
    .filter(([k]) => k !== 'authorization')
    .map(([k, v]) => `${k}: ${JSON.stringify(v.slice(0, 80))}`)
    .join(', ');
  return `${r.method} ${r.target.slice(0, 300)} [auth ${r.intent.auth}; media ${r.intent.media}] {${headers}}${body}`;
}

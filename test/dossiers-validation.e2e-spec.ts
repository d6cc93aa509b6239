/**
 * Malformed bodies at every dossier write route, over real HTTP on SQLite and PostgreSQL:
 * each missing required field, each wrong type and an unknown field -> 400 naming the field; then a
 * fast-check property firing random and mutated bodies: only 4xx, and the store is unchanged.
 */
import fc from 'fast-check';
import { DossierTestApp, ROUTES, routePath, RouteSpec, startDossierApp, STORES } from './dossiers-fixtures';

/** A value of a JSON type other than `type` (never null/undefined: for optional fields those mean "absent"). */
function wrongValue(type: string): fc.Arbitrary<unknown> {
  const all: Record<string, fc.Arbitrary<unknown>> = {
    string: fc.string({ maxLength: 30 }),
    number: fc.oneof(fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true })),
    boolean: fc.boolean(),
    object: fc.dictionary(fc.string({ maxLength: 8 }), fc.integer(), { maxKeys: 3 }),
    array: fc.array(fc.integer(), { maxLength: 3 }),
  };
  return fc.oneof(
    ...Object.entries(all)
      .filter(([k]) => k !== type)
      .map(([, a]) => a),
  );
}

describe.each(STORES)('dossier bodies are validated (%s)', (store) => {
  let d: DossierTestApp;
  let code: string;

  beforeAll(async () => {
    d = await startDossierApp(store);
    code = (await d.receive()).body.code;
  });
  afterAll(async () => {
    await d?.t.close();
    expect(d.statuses.filter((s) => s >= 500)).toEqual([]);
  });

  const post = (r: RouteSpec, body: unknown, c = r.creates ? d.newCode() : code) => d.t.request('POST', routePath(r, c), { token: d.clerkA, body });
  const fields = (res: { body: any }) => (res.body?.error?.details ?? []).map((x: { field: string }) => x.field);

  it.each(ROUTES.map((r) => [r.path, r] as const))('%s: missing field, wrong type, unknown field -> 400 naming it', async (_p, r) => {
    const head = await d.t.store.headPosition();
    for (const f of r.required) {
      const body: Record<string, unknown> = { ...r.body('X-1') };
      delete body[f];
      const res = await post(r, body);
      expect({ f, status: res.status, code: res.body.error?.code }).toEqual({ f, status: 400, code: 'VALIDATION_FAILED' });
      expect(fields(res)).toContain(f);
    }
    for (const [f, type] of Object.entries(r.types)) {
      const wrong = type === 'string' ? 12345 : type === 'object' ? 'a string' : 'not-a-' + type;
      const res = await post(r, { ...r.body('X-1'), [f]: wrong });
      expect({ f, status: res.status }).toEqual({ f, status: 400 });
      expect(fields(res)).toContain(f);
    }
    const unknown = await post(r, { ...r.body('X-1'), bogus: 1 });
    expect(unknown.status).toBe(400);
    expect(fields(unknown)).toEqual(['bogus']);
    // Keys the global pipe would drop silently (prototype-pollution guard, Object.prototype names): still unknown fields.
    for (const k of ['__proto__', 'constructor', 'prototype', 'toString']) {
      const raw = JSON.stringify(r.body(r.creates ? d.newCode() : code)).replace(/^\{/, `{"${k}":{"x":1},`);
      const res = await d.t.request('POST', routePath(r, r.creates ? 'X-1' : code), { token: d.clerkA, body: raw });
      expect({ k, status: res.status }).toEqual({ k, status: 400 });
      expect(fields(res)).toEqual([k]);
    }
    for (const raw of ['[]', 'null', '"text"', '{"occurredAt": ', '42']) {
      const res = await d.t.request('POST', routePath(r, r.creates ? 'X-1' : code), { token: d.clerkA, body: raw });
      expect({ raw, status: res.status }).toEqual({ raw, status: 400 });
    }
    if (!r.creates) {
      const badCode = await d.t.request('POST', routePath(r, ' padded '), { token: d.clerkA, body: r.body(code) });
      expect(badCode.status).toBe(400);
      expect(fields(badCode)).toEqual(['code']);
    }
    expect(await d.t.store.headPosition()).toBe(head);
  });

  it('nested applicant data is validated too (and unknown applicant fields refused)', async () => {
    const nested = await d.t.request('POST', '/api/dossiers', {
      token: d.clerkA,
      body: JSON.stringify({ ...ROUTES[0].body(d.newCode()), applicant: {} }).replace('"applicant":{}', '"applicant":{"constructor":"x"}'),
    });
    expect(nested.status).toBe(400);
    expect(fields(nested)).toEqual(['applicant.constructor']);
    for (const applicant of [{ idNumber: '12' }, { phone: 'call me' }, { name: '' }, { email: 'a@b.c' }]) {
      const res = await post(ROUTES[0], { ...ROUTES[0].body(d.newCode()), applicant });
      expect(res.status).toBe(400);
      expect(fields(res).some((f: string) => f.startsWith('applicant.'))).toBe(true);
    }
  });

  it('property: random and mutated bodies at every route answer 4xx only and leave the store unchanged', async () => {
    const head = await d.t.store.headPosition();
    const mutated = fc.constantFrom(...ROUTES).chain((r) =>
      fc.oneof(
        // A required field missing.
        fc.constantFrom(...r.required).map((f) => {
          const b: Record<string, unknown> = { ...r.body(code) };
          delete b[f];
          return { r, body: b as unknown };
        }),
        // A field of the wrong JSON type.
        fc.constantFrom(...Object.keys(r.types)).chain((f) => wrongValue(r.types[f]).map((v) => ({ r, body: { ...r.body(code), [f]: v } as unknown }))),
        // An unknown field besides a valid body.
        fc
          .oneof(fc.string({ minLength: 1, maxLength: 12 }), fc.constantFrom('constructor', 'prototype', 'toString', 'valueOf', 'hasOwnProperty'))
          .filter((k) => !Object.prototype.hasOwnProperty.call(r.types, k) && k !== 'commandId' && k !== '__proto__')
          .map((k) => ({ r, body: { ...r.body(code), [k]: 'x' } as unknown })),
        // Anything at all.
        fc.anything({ maxDepth: 3 }).map((body) => ({ r, body })),
        fc.json({ maxDepth: 3 }).map((body) => ({ r, body: body as unknown })),
      ),
    );
    await fc.assert(
      fc.asyncProperty(mutated, async ({ r, body }) => {
        const res = await d.t.request('POST', routePath(r, r.creates ? d.newCode() : code), {
          token: d.clerkA,
          body: body === undefined ? 'undefined' : typeof body === 'string' ? JSON.stringify(body) : body,
        });
        return res.status >= 400 && res.status < 500;
      }),
      { numRuns: 150 },
    );
    expect(await d.t.store.headPosition()).toBe(head);
  });
});

/**
 * Both key vaults on real engines (SQLite file, PostgreSQL), through the protector: seal/open, erase, rotation,
 * and that erasure leaves no copy of the wrapped key in the SQLite files.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { generateMasterKeyText, parseMasterKey } from './crypto';
import { readOrCreateDevMasterKey } from './dev-key';
import { createPostgresKeyVault } from './postgres-vault';
import { PersonalDataProtector } from './protector';
import { createSqliteKeyVault } from './sqlite-vault';
import { DuplicateRefError, type KeyVault } from './vault';

const PG_URL = process.env.TEST_PG_URL ?? `postgres://${process.env.PGUSER ?? 'postgres'}@${process.env.PGHOST ?? '127.0.0.1'}:5432/test`;
const applicant = { name: 'Trần Thị Ánh Tuyết', idNumber: '079190001234', phone: '0912 345 678', address: 'Ấp Mỹ Hòa, xã Tân Mỹ, huyện Đức Hòa, Long An' };

type Made = { vault: KeyVault; cleanup: () => Promise<void>; files?: string[] };

const engines: Array<[string, () => Promise<Made>]> = [
  [
    'sqlite',
    async () => {
      const dir = mkdtempSync(join(tmpdir(), 'pd-vault-'));
      const file = join(dir, 'keys.sqlite');
      const vault = createSqliteKeyVault({ file });
      return { vault, files: [file, `${file}-wal`], cleanup: async () => rmSync(dir, { recursive: true, force: true }) };
    },
  ],
  [
    'postgres',
    async () => {
      const schema = `pd_test_${randomBytes(5).toString('hex')}`;
      const vault = createPostgresKeyVault({ connectionString: PG_URL, schema });
      return {
        vault,
        cleanup: async () => {
          const c = new Client({ connectionString: PG_URL });
          await c.connect();
          await c.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
          await c.end();
        },
      };
    },
  ],
];

describe.each(engines)('key vault on %s', (_name, make) => {
  let made: Made;
  const master = parseMasterKey(generateMasterKeyText());
  let pd: PersonalDataProtector;
  beforeAll(async () => {
    made = await make();
    pd = new PersonalDataProtector(made.vault, master);
  });
  afterAll(async () => {
    await made.vault.close();
    await made.cleanup();
  });

  it('seals and opens Vietnamese text; nothing to seal gives no ref', async () => {
    const s = (await pd.seal(applicant))!;
    expect(s.applicantRef).toMatch(/^[0-9a-f]{32}$/);
    expect(s.applicantSealed).not.toContain('Tuyết');
    await expect(pd.open(s.applicantRef, s.applicantSealed)).resolves.toEqual({ status: 'available', applicantRef: s.applicantRef, applicant });
    await expect(pd.seal({})).resolves.toBeUndefined();
    await expect(pd.seal(undefined)).resolves.toBeUndefined();
  });

  it('erase destroys the key: open says erased (with when), idempotent; unknown refs are told apart', async () => {
    const s = (await pd.seal(applicant))!;
    const other = (await pd.seal({ name: 'Lê Văn Tám' }))!;
    const stored = await made.vault.get(s.applicantRef);
    expect(stored?.wrappedKey?.length).toBe(60);
    await expect(pd.erase(s.applicantRef, new Date('2025-06-01T03:00:00Z'))).resolves.toBe('destroyed');
    await expect(pd.open(s.applicantRef, s.applicantSealed)).resolves.toEqual({
      status: 'erased',
      applicantRef: s.applicantRef,
      erasedAt: '2025-06-01T03:00:00.000Z',
    });
    await expect(pd.erase(s.applicantRef)).resolves.toBe('already_erased');
    await expect(pd.erase('01NEVERISSUED0000000000000')).resolves.toBe('unknown');
    await expect(pd.open('01NEVERISSUED0000000000000', s.applicantSealed)).resolves.toMatchObject({ status: 'unknown' });
    // Others are untouched.
    await expect(pd.open(other.applicantRef, other.applicantSealed)).resolves.toMatchObject({ status: 'available', applicant: { name: 'Lê Văn Tám' } });
    if (made.files) {
      // No copy of the destroyed wrapped key anywhere in the vault's files (main file and WAL).
      const needle = stored!.wrappedKey!;
      for (const f of made.files) if (existsSync(f)) expect(readFileSync(f).indexOf(needle)).toBe(-1);
      // ...while a live key is there (the scan does find keys).
      const live = (await made.vault.get(other.applicantRef))!.wrappedKey!;
      expect(made.files.some((f) => existsSync(f) && readFileSync(f).indexOf(live) >= 0)).toBe(true);
    }
  });

  it('a ref is never reused', async () => {
    const s = (await pd.seal(applicant))!;
    await expect(
      made.vault.put({ ref: s.applicantRef, wrappedKey: Buffer.alloc(60), masterKeyId: master.id, createdAt: new Date().toISOString() }),
    ).rejects.toThrow(DuplicateRefError);
    // The first key is intact.
    await expect(pd.open(s.applicantRef, s.applicantSealed)).resolves.toMatchObject({ status: 'available' });
  });

  it('master key rotation re-wraps live keys; after it the old master is no longer needed', async () => {
    const a = (await pd.seal({ name: 'Phạm Thị Dậu' }))!;
    const gone = (await pd.seal({ name: 'Đỗ Văn Mười' }))!;
    await pd.erase(gone.applicantRef);
    const next = parseMasterKey(generateMasterKeyText());
    const rotating = new PersonalDataProtector(made.vault, next, [master]);
    const report = await rotating.rotate(2);
    expect(report.rewrapped).toBeGreaterThanOrEqual(1);
    expect(report.skipped).toBe(0);
    const onlyNew = new PersonalDataProtector(made.vault, next);
    await expect(onlyNew.open(a.applicantRef, a.applicantSealed)).resolves.toMatchObject({ status: 'available', applicant: { name: 'Phạm Thị Dậu' } });
    await expect(onlyNew.open(gone.applicantRef, gone.applicantSealed)).resolves.toMatchObject({ status: 'erased' });
    await expect(rotating.rotate()).resolves.toEqual({ rewrapped: 0, skipped: 0 });
    // The old master alone opens nothing any more.
    await expect(pd.open(a.applicantRef, a.applicantSealed)).rejects.toThrow(/not configured/);
  });
});

describe('development master key', () => {
  it('is generated once into DATA_DIR (0600) and reused', () => {
    const dir = mkdtempSync(join(tmpdir(), 'pd-dev-'));
    try {
      const a = readOrCreateDevMasterKey(dir);
      const b = readOrCreateDevMasterKey(dir);
      expect(a.generated).toBe(true);
      expect(b).toMatchObject({ text: a.text, generated: false });
      expect(parseMasterKey(a.text).key.length).toBe(32);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

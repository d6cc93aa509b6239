import { generateDataKey, generateMasterKeyText, openRecord, parseMasterKey, sealRecord, SealedDataError, unwrapDataKey, wrapDataKey } from './crypto';

const applicant = { name: 'Nguyễn Thị Hồng Nhung', idNumber: '001185012345', phone: '+84 912 345 678', address: 'Số 12 ngõ 34, phường Ô Chợ Dừa, Hà Nội' };

describe('personal-data crypto', () => {
  it('round-trips Vietnamese text; ciphertext is printable ASCII without spaces and hides the plaintext', () => {
    const key = generateDataKey();
    const sealed = sealRecord(key, 'ref-1', applicant);
    expect(sealed).toMatch(/^pd1\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
    expect(sealed).not.toContain('Nguy');
    expect(Buffer.from(sealed.split('.')[2], 'base64url').toString('latin1')).not.toContain('001185012345');
    expect(openRecord(key, 'ref-1', sealed)).toEqual(applicant);
  });

  it('keeps only the four identity fields; lengths leak only in 64-byte steps', () => {
    const key = generateDataKey();
    expect(openRecord(key, 'r', sealRecord(key, 'r', { name: 'A', other: 'x' } as never))).toEqual({ name: 'A' });
    const len = (n: string) => sealRecord(key, 'r', { name: n }).length;
    expect(len('A')).toBe(len('Nguyễn Văn B'));
  });

  it('refuses another key, another ref (ciphertext moved) and any altered byte', () => {
    const key = generateDataKey();
    const sealed = sealRecord(key, 'ref-1', applicant);
    expect(() => openRecord(generateDataKey(), 'ref-1', sealed)).toThrow(SealedDataError);
    expect(() => openRecord(key, 'ref-2', sealed)).toThrow(SealedDataError);
    const parts = sealed.split('.');
    const ct = Buffer.from(parts[2], 'base64url');
    ct[0] ^= 1;
    expect(() => openRecord(key, 'ref-1', [parts[0], parts[1], ct.toString('base64url'), parts[3]].join('.'))).toThrow(SealedDataError);
    expect(() => openRecord(key, 'ref-1', 'garbage')).toThrow(SealedDataError);
  });

  it('wraps data keys under the master key, bound to the ref', () => {
    const master = parseMasterKey(generateMasterKeyText());
    const dk = generateDataKey();
    const wrapped = wrapDataKey(master, 'ref-1', dk);
    expect(wrapped.length).toBe(60);
    expect(unwrapDataKey(master, 'ref-1', wrapped).equals(dk)).toBe(true);
    expect(() => unwrapDataKey(master, 'ref-2', wrapped)).toThrow(SealedDataError);
    expect(() => unwrapDataKey(parseMasterKey(generateMasterKeyText()), 'ref-1', wrapped)).toThrow(SealedDataError);
  });

  it('parses master keys as hex or base64(url) of 32 bytes; ids are stable and do not reveal the key', () => {
    const hex = 'ab'.repeat(32);
    const a = parseMasterKey(hex);
    const b = parseMasterKey(Buffer.from(hex, 'hex').toString('base64'));
    const c = parseMasterKey(Buffer.from(hex, 'hex').toString('base64url'));
    expect(a.id).toMatch(/^[0-9a-f]{16}$/);
    expect(b.id).toBe(a.id);
    expect(c.id).toBe(a.id);
    expect(hex).not.toContain(a.id);
    for (const bad of ['', 'short', 'ab'.repeat(31), Buffer.alloc(16).toString('base64'), 'zz'.repeat(32)]) {
      expect(() => parseMasterKey(bad)).toThrow(/32 bytes/);
    }
  });
});

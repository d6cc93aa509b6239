import { attachmentDisposition } from './content-disposition';

describe('attachmentDisposition', () => {
  it('keeps an ASCII name as it is, in both forms', () => {
    expect(attachmentDisposition('H30.B-250101-0001-history.csv')).toBe(
      `attachment; filename="H30.B-250101-0001-history.csv"; filename*=UTF-8''H30.B-250101-0001-history.csv`,
    );
  });
  it('gives Vietnamese letters an ASCII fallback and the exact UTF-8 name', () => {
    const h = attachmentDisposition('Hồ-sơ-Đà-Nẵng.xlsx');
    expect(h).toBe(`attachment; filename="Ho-so-Da-Nang.xlsx"; filename*=UTF-8''H%E1%BB%93-s%C6%A1-%C4%90%C3%A0-N%E1%BA%B5ng.xlsx`);
    expect(decodeURIComponent(h.split("UTF-8''")[1])).toBe('Hồ-sơ-Đà-Nẵng.xlsx');
    expect(/^[\x20-\x7e]*$/.test(h)).toBe(true);
  });
  it('quotes, backslashes and control characters never reach the header raw', () => {
    const h = attachmentDisposition('a"b\\c\r\nd');
    expect(h).toContain('filename="a_b_c__d"');
    expect(/^[\x20-\x7e]*$/.test(h)).toBe(true);
  });
});

import ExcelJS from 'exceljs';
import { toXlsx, xmlSafe, type Sheet } from './export';

describe('XLSX exports and text XML cannot carry', () => {
  const odd = ['FZ-\uffff', 'a\ufffeb', 'lone \ud800 high', 'lone \udc00 low', 'bell\u0007', 'nul\u0000'];

  it('xmlSafe writes U+FFFD for each character XML 1.0 cannot carry, and keeps everything else', () => {
    expect(odd.map(xmlSafe)).toEqual(['FZ-\ufffd', 'a\ufffdb', 'lone \ufffd high', 'lone \ufffd low', 'bell\ufffd', 'nul\ufffd']);
    for (const keep of ['Nguyễn Văn Ánh', 'tab\tLF\nCR\r', '😀 \ud83d\ude00', '\ufffd', '=1+1 | % /', '\u202e']) expect(xmlSafe(keep)).toBe(keep);
    expect(xmlSafe(42)).toBe(42);
    expect(xmlSafe(null)).toBeNull();
  });

  it('a workbook with such text in its title and cells opens, the text read back with U+FFFD', async () => {
    const sheet: Sheet = { name: 'Lịch sử hồ sơ', columns: [{ key: 'v', vi: 'Giá trị', en: 'Value' }], rows: odd.map((v) => ({ v })) };
    const buf = await toXlsx([sheet], { title: 'Lịch sử hồ sơ FZ-\uffff' });
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(buf as unknown as ArrayBuffer);
    expect(wb.title).toBe('Lịch sử hồ sơ FZ-\ufffd');
    const cells = odd.map((_, i) => wb.worksheets[0].getRow(i + 2).getCell(1).value);
    expect(cells).toEqual(odd.map(xmlSafe));
  });
});

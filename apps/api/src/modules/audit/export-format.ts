import { StreamableFile } from '@nestjs/common';
import { toXlsx, sheetsToCsv, type Sheet } from '@motcua/audit';
import { attachmentDisposition } from '../../shared/http/content-disposition';

export type ExportFormat = 'json' | 'csv' | 'xlsx';

/** CSV (UTF-8 with BOM) or XLSX as a download. */
export async function exportFile(sheets: Sheet[], format: 'csv' | 'xlsx', name: string, title?: string): Promise<StreamableFile> {
  if (format === 'csv') {
    return new StreamableFile(sheetsToCsv(sheets), { type: 'text/csv; charset=utf-8', disposition: attachmentDisposition(`${name}.csv`) });
  }
  return new StreamableFile(await toXlsx(sheets, { title }), {
    type: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    disposition: attachmentDisposition(`${name}.xlsx`),
  });
}

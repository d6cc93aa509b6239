/**
 * `Content-Disposition: attachment` for any file name the API produces (a dossier code may hold Vietnamese
 * letters): an ASCII `filename` for old clients (diacritics dropped, `đ` as `d`, anything else outside
 * `A-Za-z0-9._-` as `_`) and the exact name as `filename*=UTF-8''…` (RFC 6266, RFC 8187). A header value
 * with a non-ASCII character would make Node refuse the whole response.
 */
export function attachmentDisposition(fileName: string): string {
  const ascii =
    fileName
      .normalize('NFD')
      .replace(/[\u0300-\u036f]/g, '')
      .replace(/đ/g, 'd')
      .replace(/Đ/g, 'D')
      .replace(/[^A-Za-z0-9._-]/g, '_') || 'download';
  const encoded = encodeURIComponent(fileName).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encoded}`;
}

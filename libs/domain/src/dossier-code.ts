/**
 * Dossier codes: `{agencyCode}-{yyMMdd}-{NNNN}` (sequence reset daily per agency), e.g.
 * `000.00.00.H30-250124-0001`. Imported legacy codes do not always follow it, so the domain only
 * checks codes loosely; `isStandardDossierCode` is the strict check for codes we issue.
 */

/**
 * Non-empty, printable (no control characters), no whitespace, at most 64 characters. No whitespace
 * anywhere, not only at the ends: the code is the dossier's stream id (`dossier-<code>`), and the event
 * store refuses whitespace in stream ids, so a code with a space could be neither received nor read.
 */
export function isValidDossierCode(code: unknown): code is string {
  return (
    typeof code === 'string' &&
    code.length > 0 &&
    code.length <= 64 &&
    !/\s/.test(code) &&
    // eslint-disable-next-line no-control-regex
    !/[\u0000-\u001f\u007f-\u009f]/.test(code)
  );
}

const STANDARD = /^([A-Za-z0-9]+(?:\.[A-Za-z0-9]+)*)-(\d{2})(\d{2})(\d{2})-(\d{4})$/;

export interface ParsedDossierCode {
  agencyCode: string;
  /** `20yy-MM-dd`: the local receipt date encoded in the code. */
  date: string;
  sequence: number;
}

/** Parses a standard code, or returns undefined (bad shape or impossible date). */
export function parseDossierCode(code: string): ParsedDossierCode | undefined {
  if (!isValidDossierCode(code)) return undefined;
  const m = STANDARD.exec(code);
  if (!m) return undefined;
  const [, agencyCode, yy, mm, dd, seq] = m;
  const year = 2000 + Number(yy);
  const month = Number(mm);
  const day = Number(dd);
  const d = new Date(Date.UTC(year, month - 1, day));
  if (d.getUTCFullYear() !== year || d.getUTCMonth() !== month - 1 || d.getUTCDate() !== day) return undefined;
  return { agencyCode, date: `${year}-${mm}-${dd}`, sequence: Number(seq) };
}

export function isStandardDossierCode(code: unknown): code is string {
  return typeof code === 'string' && parseDossierCode(code) !== undefined;
}

const STREAM_PREFIX = 'dossier-';

/** Event-store stream id of a dossier. */
export function dossierStreamId(code: string): string {
  return `${STREAM_PREFIX}${code}`;
}

/** The dossier code of a stream id, or undefined when it is not a dossier stream. */
export function dossierCodeFromStreamId(streamId: string): string | undefined {
  return streamId.startsWith(STREAM_PREFIX) ? streamId.slice(STREAM_PREFIX.length) : undefined;
}

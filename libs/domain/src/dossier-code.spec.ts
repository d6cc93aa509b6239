import { dossierCodeFromStreamId, dossierStreamId, isStandardDossierCode, isValidDossierCode, parseDossierCode } from './dossier-code';

describe('dossier codes', () => {
  it.each(['000.00.00.H30-250124-0001', 'H55.242-251231-9999', 'G01-240229-0001'])('accepts the standard code %s', (code) => {
    expect(isStandardDossierCode(code)).toBe(true);
    expect(isValidDossierCode(code)).toBe(true);
  });

  it('parses agency, local date and sequence', () => {
    expect(parseDossierCode('000.00.00.H30-250124-0042')).toEqual({
      agencyCode: '000.00.00.H30',
      date: '2025-01-24',
      sequence: 42,
    });
  });

  it.each([
    ['impossible date', 'H30-250230-0001'],
    ['month 13', 'H30-251301-0001'],
    ['not leap', 'H30-250229-0001'],
    ['short sequence', 'H30-250124-001'],
    ['no agency', '-250124-0001'],
    ['empty agency segment', 'H30..1-250124-0001'],
    ['legacy code', 'HS/2019/000123'],
  ])('is not standard: %s', (_why, code) => {
    expect(isStandardDossierCode(code)).toBe(false);
  });

  it('loosely accepts imported legacy codes but not empty, padded, whitespace, control chars or > 64 chars', () => {
    expect(isValidDossierCode('HS/2019/000123')).toBe(true);
    expect(isValidDossierCode('Hồ-sơ-12|%')).toBe(true);
    // Whitespace inside was accepted, but the store refuses it in the stream id: such a dossier could not be received.
    expect(isValidDossierCode('Hồ sơ 12')).toBe(false);
    expect(isValidDossierCode('H30\u00a0250124')).toBe(false);
    expect(isValidDossierCode('H30\u3000250124')).toBe(false);
    expect(isValidDossierCode('x'.repeat(64))).toBe(true);
    expect(isValidDossierCode('x'.repeat(65))).toBe(false);
    expect(isValidDossierCode('')).toBe(false);
    expect(isValidDossierCode(' H30-1')).toBe(false);
    expect(isValidDossierCode('H30\n1')).toBe(false);
    expect(isValidDossierCode(42)).toBe(false);
  });

  it('maps codes to stream ids and back', () => {
    expect(dossierStreamId('H30-250124-0001')).toBe('dossier-H30-250124-0001');
    expect(dossierCodeFromStreamId('dossier-H30-250124-0001')).toBe('H30-250124-0001');
    expect(dossierCodeFromStreamId('agency-H30')).toBeUndefined();
  });
});

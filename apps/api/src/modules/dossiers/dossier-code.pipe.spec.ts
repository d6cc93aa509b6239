import fc from 'fast-check';
import { dossierStreamId } from '@motcua/domain';
import { validateStreamId } from '@motcua/event-store';
import { DossierCodePipe } from './dossier-code.pipe';

describe('DossierCodePipe and the event store agree', () => {
  const pipe = new DossierCodePipe();
  const accepted = (code: string) => {
    try {
      pipe.transform(code);
      return true;
    } catch {
      return false;
    }
  };

  it('every code the pipe accepts is a stream id the store takes (a code with a space passed the pipe and the store refused it: 422 INVALID_EVENT)', () => {
    const text = fc.oneof(
      fc.string({ unit: 'grapheme', maxLength: 70 }),
      fc.string({ unit: 'binary', maxLength: 70 }),
      fc.constantFrom('Nguyễn Văn Ánh', 'H30 250124 0001', 'H30\u00a0x', 'x\u2028y', 'a\u3000b', 'FZ-\uffff', 'FZ-Việt|%/ệ', '$x', 'x'.repeat(64)),
    );
    fc.assert(
      fc.property(text, (code) => {
        if (accepted(code)) validateStreamId(dossierStreamId(code));
      }),
      { numRuns: 2000 },
    );
    expect(accepted('Nguyễn Văn Ánh')).toBe(false);
    expect(accepted('Nguyễn-Văn-Ánh')).toBe(true);
  });
});

import {
  generateDataKey,
  normalizeApplicant,
  openRecord,
  sealRecord,
  secureRandomBytes,
  unwrapDataKey,
  wrapDataKey,
  type ApplicantFields,
  type MasterKey,
} from './crypto';
import type { DestroyOutcome, KeyVault } from './vault';

export interface SealedApplicant {
  /** Opaque, random (32 hex digits); names the applicant record and its key. Carries no personal data. */
  applicantRef: string;
  /** Ciphertext of the identity fields, bound to the ref; safe to store in events. */
  applicantSealed: string;
}

export type OpenedApplicant =
  | { status: 'available'; applicantRef: string; applicant: ApplicantFields }
  | { status: 'erased'; applicantRef: string; erasedAt: string }
  | { status: 'unknown'; applicantRef: string };

export interface RotationReport {
  rewrapped: number;
  /** Keys wrapped by a master key that is not configured (left as they are). */
  skipped: number;
}

/**
 * Crypto-shredding of applicants' identity fields: `seal` makes a data key per applicant (stored wrapped in the
 * vault) and returns the ciphertext to put in the event; `open` needs that key; `erase` destroys it. Events are
 * never edited, so the hash chain and every figure stay as they were.
 */
export class PersonalDataProtector {
  private readonly byId: Map<string, MasterKey>;

  constructor(
    private readonly vault: KeyVault,
    private readonly master: MasterKey,
    /** Earlier master keys, to open keys not yet re-wrapped after a rotation. */
    previous: MasterKey[] = [],
    private readonly now: () => Date = () => new Date(),
  ) {
    this.byId = new Map([...previous, master].map((k) => [k.id, k]));
  }

  get masterKeyId(): string {
    return this.master.id;
  }

  /**
   * Seals the identity fields under a new key. Nothing to seal (no field given) -> undefined. The key is
   * committed before the caller appends the event: a failed append leaves an unused key, never an event
   * whose key was not stored.
   */
  async seal(applicant: ApplicantFields | Record<string, unknown> | undefined | null): Promise<SealedApplicant | undefined> {
    const fields = normalizeApplicant(applicant);
    if (Object.keys(fields).length === 0) return undefined;
    // 128 random bits: names nothing, guessable by no one, and carries no time (unlike a ULID).
    const applicantRef = secureRandomBytes(16).toString('hex');
    const dataKey = generateDataKey();
    try {
      const applicantSealed = sealRecord(dataKey, applicantRef, fields);
      await this.vault.put({
        ref: applicantRef,
        wrappedKey: wrapDataKey(this.master, applicantRef, dataKey),
        masterKeyId: this.master.id,
        createdAt: this.now().toISOString(),
      });
      return { applicantRef, applicantSealed };
    } finally {
      dataKey.fill(0);
    }
  }

  /** The identity fields, or `erased` once the key is destroyed (the ciphertext may still exist anywhere). */
  async open(applicantRef: string, applicantSealed: string | undefined): Promise<OpenedApplicant> {
    const stored = await this.vault.get(applicantRef);
    if (!stored) return { status: 'unknown', applicantRef };
    if (!stored.wrappedKey) return { status: 'erased', applicantRef, erasedAt: stored.erasedAt! };
    if (applicantSealed === undefined) return { status: 'unknown', applicantRef };
    const master = this.byId.get(stored.masterKeyId);
    if (!master) throw new Error(`the key of this applicant is wrapped by master key ${stored.masterKeyId}, which is not configured`);
    const dataKey = unwrapDataKey(master, applicantRef, stored.wrappedKey);
    try {
      return { status: 'available', applicantRef, applicant: openRecord(dataKey, applicantRef, applicantSealed) };
    } finally {
      dataKey.fill(0);
    }
  }

  /** Destroys the applicant's key. Idempotent: `already_erased` the second time; `unknown` for a ref never issued. */
  erase(applicantRef: string, at: Date = this.now()): Promise<DestroyOutcome> {
    return this.vault.destroy(applicantRef, at.toISOString());
  }

  /**
   * Re-wraps every live key under the current master key. Once done, the old master key can be destroyed, which
   * also makes useless any copy of an erased key left in backups, WAL or free pages.
   */
  async rotate(batch = 500): Promise<RotationReport> {
    let after = '';
    let rewrapped = 0;
    let skipped = 0;
    for (;;) {
      const keys = await this.vault.keysNotUnder(this.master.id, after, batch);
      if (keys.length === 0) return { rewrapped, skipped };
      for (const k of keys) {
        after = k.ref;
        const old = this.byId.get(k.masterKeyId);
        if (!old || !k.wrappedKey) {
          skipped++;
          continue;
        }
        const dataKey = unwrapDataKey(old, k.ref, k.wrappedKey);
        try {
          if (await this.vault.rewrap(k.ref, k.masterKeyId, wrapDataKey(this.master, k.ref, dataKey), this.master.id)) rewrapped++;
        } finally {
          dataKey.fill(0);
        }
      }
    }
  }

  close(): Promise<void> {
    return this.vault.close();
  }
}

/**
 * Day-counter key -> slot, by open addressing over typed arrays: a `Map` of keys above 2^31 boxes
 * every key it is asked for (one allocation per counted event in a replay) and hashes the box.
 */
export class KeySlots {
  private keys = new Float64Array(1 << 12);
  private slots = new Int32Array(1 << 12).fill(-1);
  private mask = (1 << 12) - 1;
  private size = 0;

  private static hash(key: number): number {
    // Low and high 32 bits of the integer key, mixed (murmur3's finaliser).
    let h = (key >>> 0) ^ Math.imul(Math.floor(key / 4_294_967_296) | 0, 0x9e3779b1);
    h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
    h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
    return h ^ (h >>> 16);
  }

  /** The slot of `key`, or -1. */
  get(key: number): number {
    for (let i = KeySlots.hash(key) & this.mask; ; i = (i + 1) & this.mask) {
      const slot = this.slots[i];
      if (slot < 0 || this.keys[i] === key) return slot;
    }
  }

  /** `key` must not be there yet. */
  set(key: number, slot: number): void {
    if (2 * (this.size + 1) > this.slots.length) this.grow();
    let i = KeySlots.hash(key) & this.mask;
    while (this.slots[i] >= 0) i = (i + 1) & this.mask;
    this.keys[i] = key;
    this.slots[i] = slot;
    this.size++;
  }

  clear(): void {
    this.slots.fill(-1);
    this.size = 0;
  }

  private grow(): void {
    const { keys, slots } = this;
    this.keys = new Float64Array(keys.length * 2);
    this.slots = new Int32Array(slots.length * 2).fill(-1);
    this.mask = this.slots.length - 1;
    this.size = 0;
    for (let i = 0; i < slots.length; i++) if (slots[i] >= 0) this.set(keys[i], slots[i]);
  }
}

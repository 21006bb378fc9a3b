/**
 * The exact duplicate-ID index: the only state of the validator that grows with the input.
 * Each consent ID is kept as 16 bytes (four 32-bit words) plus the 1-based row where it was
 * first seen, in open-addressing tables split into 256 shards. Shards grow one at a time by
 * 1.5x at 80% load, so the index stays between 25 and 38 bytes per distinct ID and never
 * needs two full copies at once (the budget is 40 bytes per ID).
 */

const WORDS = 5; // 4 ID words + first row
const SHARD_BITS = 8;
const SHARD_COUNT = 1 << SHARD_BITS;
const INITIAL_SLOTS = 32;
const MAX_LOAD = 0.8;

interface Shard {
  slots: Uint32Array;
  capacity: number;
  size: number;
}

/** A 32-bit mix of the four words (murmur3 finaliser), so sequential IDs spread as well as random ones. */
function hash(w0: number, w1: number, w2: number, w3: number): number {
  let h = Math.imul(w0 ^ 0x9e3779b9, 0x85ebca6b) ^ w1;
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35) ^ w2;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b) ^ w3;
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

export class DuplicateIndex {
  private readonly shards: Shard[] = [];
  private count = 0;

  constructor() {
    for (let i = 0; i < SHARD_COUNT; i++) {
      this.shards.push({ slots: new Uint32Array(INITIAL_SLOTS * WORDS), capacity: INITIAL_SLOTS, size: 0 });
    }
  }

  /**
   * Sizes the tables for about `expected` distinct IDs in one step, so that a file of known
   * size is not rehashed as it grows (rehashing costs more than the inserts themselves).
   */
  reserve(expected: number): void {
    const perShard = Math.ceil(expected / SHARD_COUNT / MAX_LOAD);
    for (const shard of this.shards) {
      if (perShard > shard.capacity) this.resize(shard, perShard);
    }
  }

  /** Distinct IDs stored. */
  get size(): number {
    return this.count;
  }

  /** Bytes held by the tables (for the memory budget). */
  get byteLength(): number {
    let n = 0;
    for (const s of this.shards) n += s.slots.byteLength;
    return n;
  }

  /**
   * Adds the ID in `id` (four words) first seen at `row` (>= 1). Returns 0 when the ID is
   * new, else the row where it was first seen.
   */
  addOrGet(id: Uint32Array, row: number): number {
    const w0 = id[0]!;
    const w1 = id[1]!;
    const w2 = id[2]!;
    const w3 = id[3]!;
    const h = hash(w0, w1, w2, w3);
    const shard = this.shards[h >>> (32 - SHARD_BITS)]!;
    if (shard.size + 1 > shard.capacity * MAX_LOAD) this.grow(shard);
    const found = insert(shard, h, w0, w1, w2, w3, row);
    if (found === 0) this.count++;
    return found;
  }

  private grow(shard: Shard): void {
    this.resize(shard, Math.ceil(shard.capacity * 1.5));
  }

  private resize(shard: Shard, capacity: number): void {
    const old = shard.slots;
    const oldCapacity = shard.capacity;
    shard.capacity = capacity;
    shard.slots = new Uint32Array(shard.capacity * WORDS);
    shard.size = 0;
    for (let i = 0; i < oldCapacity; i++) {
      const o = i * WORDS;
      const row = old[o + 4]!;
      if (row === 0) continue;
      const w0 = old[o]!;
      const w1 = old[o + 1]!;
      const w2 = old[o + 2]!;
      const w3 = old[o + 3]!;
      insert(shard, hash(w0, w1, w2, w3), w0, w1, w2, w3, row);
    }
  }
}

/** Linear probing; a slot whose row word is 0 is empty (rows are 1-based). */
function insert(shard: Shard, h: number, w0: number, w1: number, w2: number, w3: number, row: number): number {
  const slots = shard.slots;
  const capacity = shard.capacity;
  let i = (h & 0xffffff) % capacity;
  for (;;) {
    const o = i * WORDS;
    const r = slots[o + 4]!;
    if (r === 0) {
      slots[o] = w0;
      slots[o + 1] = w1;
      slots[o + 2] = w2;
      slots[o + 3] = w3;
      slots[o + 4] = row;
      shard.size++;
      return 0;
    }
    if (slots[o] === w0 && slots[o + 1] === w1 && slots[o + 2] === w2 && slots[o + 3] === w3) return r;
    i = i + 1 === capacity ? 0 : i + 1;
  }
}

// The country map as the map's hot path reads it: straight from the record's bytes.
//
// RegionMap looks a name up by its string; the hot path would have to build two strings per
// record for that (the name, then its lower case), which on a 256 MB dump cost the map ~12 %
// once every record without a code needed the map's code for its identity. Here a name is
// found by a hash of its lower-cased bytes in an open-addressed table, and a code by its three
// letters as one number: no string per record.
import type { MapEntry, Region } from '../rules/normalize.js';

const EMPTY = -1;

/** FNV-1a step: the hash the table spreads lower-cased names with. */
function mix(hash: number, byte: number): number {
  return Math.imul(hash ^ byte, 0x01000193);
}

export function lowerAscii(b: number): number {
  return b >= 0x41 && b <= 0x5a ? b | 0x20 : b;
}

/** Three capital letters as one number; -1 when they are not. */
export function codeNumber(bytes: Uint8Array, at: number): number {
  let n = 0;
  for (let i = at; i < at + 3; i++) {
    const b = bytes[i];
    if (b < 0x41 || b > 0x5a) return -1;
    n = n * 32 + (b - 0x40);
  }
  return n;
}

/** The map's names (lower case, as RegionMap keys them) and codes, found from bytes. */
export class PlainLookup {
  /** Slot → index of the name in `entries`, or EMPTY. Twice the names or more: short probes. */
  private readonly slots: Int32Array;
  private readonly keyBytes: Uint8Array;
  private readonly keyStarts: Int32Array;
  private readonly entries: MapEntry[] = [];
  private readonly regionsByCode = new Map<number, Region>();

  /**
   * `names` are the map's keys (cleaned, lower case) and entries; `codes` its codes and
   * regions. Only names spelled in ASCII enter the table: the hot path reads ASCII names only,
   * and a lower-cased ASCII name can equal no other key.
   */
  constructor(names: ReadonlyMap<string, MapEntry>, codes: ReadonlyMap<string, { region: Region }>) {
    const ascii = [...names].filter(([key]) => /^[\x00-\x7f]*$/.test(key));
    let size = 16;
    while (size < ascii.length * 2) size *= 2;
    this.slots = new Int32Array(size).fill(EMPTY);
    const encoded = ascii.map(([key]) => Buffer.from(key, 'latin1'));
    this.keyBytes = Buffer.concat(encoded);
    this.keyStarts = new Int32Array(ascii.length + 1);
    let at = 0;
    ascii.forEach(([, entry], i) => {
      const key = encoded[i];
      this.keyStarts[i] = at;
      at += key.length;
      this.entries.push(entry);
      let slot = this.hashOf(key, 0, key.length) & (size - 1);
      while (this.slots[slot] !== EMPTY) slot = (slot + 1) & (size - 1);
      this.slots[slot] = i;
    });
    this.keyStarts[ascii.length] = at;
    // RegionMap's codes are three capital letters (parseCountryCode).
    for (const [code, { region }] of codes) this.regionsByCode.set(codeNumber(Buffer.from(code, 'latin1'), 0), region);
  }

  private hashOf(bytes: Uint8Array, from: number, to: number): number {
    let hash = 0x811c9dc5;
    for (let i = from; i < to; i++) hash = mix(hash, lowerAscii(bytes[i]));
    return hash >>> 0;
  }

  /** The entry of the name in bytes[from, to), printable ASCII compared case-insensitively. */
  entryOf(bytes: Uint8Array, from: number, to: number): MapEntry | undefined {
    const mask = this.slots.length - 1;
    const length = to - from;
    for (let slot = this.hashOf(bytes, from, to) & mask; ; slot = (slot + 1) & mask) {
      const index = this.slots[slot];
      if (index === EMPTY) return undefined;
      const start = this.keyStarts[index];
      if (this.keyStarts[index + 1] - start !== length) continue;
      let i = 0;
      while (i < length && lowerAscii(bytes[from + i]) === this.keyBytes[start + i]) i++;
      if (i === length) return this.entries[index];
    }
  }

  /** The region of a code given as its number (codeNumber). */
  regionOfCode(code: number): Region | undefined {
    return this.regionsByCode.get(code);
  }
}

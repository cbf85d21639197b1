// The map's hot path: SPEC §1's rules for the common record, read from the input's bytes and
// written straight into its region's fact-line buffer, without a JavaScript string per field.
//
// `normalizeFigure` and `encodeFactLine` stay the reference. This path takes a record only
// when every field it reads is plain ASCII with nothing to clean or trim — which is what most
// records of a real dump are — and declines otherwise, leaving the record to the reference
// on strings. Declining is always safe; a differential test holds that whatever it takes it
// writes the line the reference writes (the same bytes up to the figure, the same figure).
//
// On a 256 MB dump it replaced about ten strings per record (field texts, cleaned name, key,
// number texts, the line) whose building and collection were half of the map's time.
import type { ColumnIndex } from '../rules/header.js';
import { isRealDay, REGIONS, type Region } from '../rules/normalize.js';
import { codeNumber, lowerAscii, type PlainLookup } from './plain-lookup.js';
import type { RecordLayout } from '../rules/tokenizer.js';
import { FACT_LINE_WIDTHS } from '../rules/current.js';
import type { FactRunBuffer } from './fact-run.js';

const TAB = 0x09;
const NEWLINE = 0x0a;
const SPACE = 0x20;
const COMMA = 0x2c;
const DASH = 0x2d;
const DOT = 0x2e;
const ZERO = 0x30;
const NINE = 0x39;
const BRACKET = 0x5b;
const COLON = 0x3a;

/** A figure text longer than this goes to the reference, which knows about overflow. */
const MAX_PLAIN_FIGURE_BYTES = 300;

const HEX_DIGITS = new Uint8Array([...'0123456789abcdef'].map((c) => c.charCodeAt(0)));
const REGION_NAMES_LOWER = REGIONS.map((r) => Buffer.from(r.toLowerCase(), 'latin1'));

function isDigit(b: number): boolean {
  return b >= ZERO && b <= NINE;
}

/** A region name spelled in ASCII in any case, or undefined (the reference decides then). */
function plainRegion(bytes: Uint8Array, from: number, to: number): Region | undefined {
  const length = to - from;
  for (let r = 0; r < REGION_NAMES_LOWER.length; r++) {
    const name = REGION_NAMES_LOWER[r];
    if (name.length !== length) continue;
    let i = 0;
    while (i < length && lowerAscii(bytes[from + i]) === name[i]) i++;
    if (i === length) return REGIONS[r];
  }
  return undefined;
}

/** bytes[from, to) as SPEC §1's year (four digits, 1900–2100), else -1. */
function plainYear(bytes: Uint8Array, from: number, to: number): number {
  if (to - from !== 4) return -1;
  let year = 0;
  for (let i = from; i < to; i++) {
    const b = bytes[i];
    if (!isDigit(b)) return -1;
    year = year * 10 + (b - ZERO);
  }
  return year >= 1900 && year <= 2100 ? year : -1;
}

function twoDigits(bytes: Uint8Array, at: number): number {
  return (bytes[at] - ZERO) * 10 + (bytes[at + 1] - ZERO);
}

/** `YYYY-MM-DD` naming a real calendar day, as `isCalendarDate` decides it. */
function plainDate(bytes: Uint8Array, from: number): boolean {
  for (let i = 0; i < 10; i++) {
    const b = bytes[from + i];
    if (i === 4 || i === 7 ? b !== DASH : !isDigit(b)) return false;
  }
  return isRealDay(twoDigits(bytes, from) * 100 + twoDigits(bytes, from + 2), twoDigits(bytes, from + 5), twoDigits(bytes, from + 8));
}

/** Per-region buffers of one map task. */
export interface RegionRuns {
  of(region: Region): FactRunBuffer;
}

/**
 * The sources a map task's figures name in their own `source` field. Records of one dump
 * mostly name the same one: a record whose bytes equal the last seen costs one comparison.
 */
export class SeenSources {
  readonly names = new Set<string>();
  private last: Buffer = Buffer.alloc(0);

  noteBytes(bytes: Uint8Array, from: number, to: number): void {
    const length = to - from;
    if (length === this.last.length) {
      let i = 0;
      while (i < length && bytes[from + i] === this.last[i]) i++;
      if (i === length) return;
    }
    this.last = Buffer.from(bytes.subarray(from, to));
    this.names.add(this.last.toString('latin1'));
  }

  note(name: string): void {
    this.names.add(name);
  }
}

/**
 * Writes the fact line of the record laid out in `layout` if it is plain; returns false,
 * having written nothing, for any record the reference must see. `loadSeq` is the load's
 * sequence number as the line spells it (six ASCII digits).
 */
export function appendPlainFigure(
  bytes: Buffer,
  layout: RecordLayout,
  columns: ColumnIndex,
  regions: PlainLookup,
  runSource: Uint8Array,
  loadSeq: Uint8Array,
  line: number,
  runs: RegionRuns,
  seen: SeenSources,
): boolean {
  const { fieldStart, fieldEnd, fieldEscaped } = layout;

  // Country: printable ASCII, no footnote, single inner spaces only — a name cleanText keeps.
  const cs = fieldStart[columns.country];
  const ce = fieldEnd[columns.country];
  if (ce === cs || fieldEscaped[columns.country] === 1) return false;
  let previousSpace = true;
  for (let i = cs; i < ce; i++) {
    const b = bytes[i];
    if (b === SPACE) {
      if (previousSpace) return false;
      previousSpace = true;
    } else if (b < SPACE || b > 0x7e || b === BRACKET) {
      return false;
    } else {
      previousSpace = false;
    }
  }
  if (previousSpace) return false;

  // Figure: digits with thousands commas and at most one decimal point, not zero.
  const gs = fieldStart[columns.gdpUsdMillion];
  const ge = fieldEnd[columns.gdpUsdMillion];
  if (ge - gs > MAX_PLAIN_FIGURE_BYTES || fieldEscaped[columns.gdpUsdMillion] === 1) return false;
  let digitsBefore = 0;
  let digitsAfter = 0;
  let dot = false;
  let nonZero = false;
  let commas = 0;
  for (let i = gs; i < ge; i++) {
    const b = bytes[i];
    if (isDigit(b)) {
      if (dot) digitsAfter++;
      else digitsBefore++;
      if (b !== ZERO) nonZero = true;
    } else if (b === COMMA) {
      commas++;
    } else if (b === DOT && !dot) {
      dot = true;
    } else {
      return false;
    }
  }
  if (digitsBefore === 0 || (dot && digitsAfter === 0) || !nonZero) return false;

  // Year: four digits, 1900–2100.
  const ys = fieldStart[columns.year];
  const year = plainYear(bytes, ys, fieldEnd[columns.year]);
  if (year < 0) return false;

  // Code: empty, or three upper-case ASCII letters (anything else: the reference decides).
  let codeStart = -1;
  let code = -1;
  if (columns.countryCode >= 0 && fieldEnd[columns.countryCode] > fieldStart[columns.countryCode]) {
    codeStart = fieldStart[columns.countryCode];
    if (fieldEnd[columns.countryCode] - codeStart !== 3 || fieldEscaped[columns.countryCode] === 1) return false;
    code = codeNumber(bytes, codeStart);
    if (code < 0) return false;
  }

  // Region: named in ASCII, or left empty and found in the country map, by code or name.
  // The map's code for the name is the identity of a record that gives none.
  let region: Region | undefined;
  let mapCode: string | null = null;
  const rs = columns.region < 0 ? 0 : fieldStart[columns.region];
  const re = columns.region < 0 ? 0 : fieldEnd[columns.region];
  if (codeStart < 0) {
    const entry = regions.entryOf(bytes, cs, ce);
    mapCode = entry?.code ?? null;
    region = re > rs ? plainRegion(bytes, rs, re) : entry?.region;
  } else {
    region = re > rs ? plainRegion(bytes, rs, re) : regions.regionOfCode(code);
  }
  if (region === undefined) return false;

  // Published: empty or a real `YYYY-MM-DD`.
  let ps = 0;
  let pe = 0;
  if (columns.published >= 0) {
    ps = fieldStart[columns.published];
    pe = fieldEnd[columns.published];
    if (pe > ps && (pe - ps !== 10 || !plainDate(bytes, ps))) return false;
  }

  // Source: empty (the run's), or lower-case letters, digits and `_` as written.
  let ss = 0;
  let se = 0;
  let source: Uint8Array = runSource;
  if (columns.source >= 0) {
    ss = fieldStart[columns.source];
    se = fieldEnd[columns.source];
    if (se > ss) {
      if (fieldEscaped[columns.source] === 1) return false;
      for (let i = ss; i < se; i++) {
        const b = bytes[i];
        if (!((b >= 0x61 && b <= 0x7a) || isDigit(b) || b === 0x5f)) return false;
      }
      source = bytes.subarray(ss, se);
      seen.noteBytes(bytes, ss, se);
    }
  }

  // Estimates start after: empty, or a year as `year` is one, as written.
  let es = 0;
  let ee = 0;
  if (columns.estimatesStartAfter >= 0) {
    es = fieldStart[columns.estimatesStartAfter];
    ee = fieldEnd[columns.estimatesStartAfter];
    if (ee > es && plainYear(bytes, es, ee) < 0) return false;
  }

  // The fact key, `source:identity`, and keyHash over it: its UTF-16 code units are these bytes.
  let hash = 0x811c9dc5;
  for (let i = 0; i < source.length; i++) hash = Math.imul(hash ^ source[i], 0x01000193);
  hash = Math.imul(hash ^ COLON, 0x01000193);
  let identityBytes: number;
  if (codeStart >= 0) {
    for (let i = codeStart; i < codeStart + 3; i++) hash = Math.imul(hash ^ bytes[i], 0x01000193);
    identityBytes = 3;
  } else if (mapCode !== null) {
    for (let i = 0; i < mapCode.length; i++) hash = Math.imul(hash ^ mapCode.charCodeAt(i), 0x01000193);
    identityBytes = mapCode.length;
  } else {
    for (let i = cs; i < ce; i++) hash = Math.imul(hash ^ lowerAscii(bytes[i]), 0x01000193);
    identityBytes = ce - cs;
  }
  hash >>>= 0;

  const run = runs.of(region);
  const nameBytes = ce - cs;
  const lineLength = FACT_LINE_WIDTHS.fixed + source.length + 1 + identityBytes + nameBytes + (pe - ps) + (ee - es) + (ge - gs - commas);
  const out = run.startLine(hash, lineLength);
  let at = run.used;
  for (let shift = 28; shift >= 0; shift -= 4) out[at++] = HEX_DIGITS[(hash >>> shift) & 0xf];
  out[at++] = TAB;
  for (let i = 0; i < source.length; i++) out[at++] = source[i];
  out[at++] = COLON;
  if (codeStart >= 0) {
    for (let i = codeStart; i < codeStart + 3; i++) out[at++] = bytes[i];
  } else if (mapCode !== null) {
    for (let i = 0; i < mapCode.length; i++) out[at++] = mapCode.charCodeAt(i);
  } else {
    for (let i = cs; i < ce; i++) out[at++] = lowerAscii(bytes[i]);
  }
  out[at++] = TAB;
  for (let i = ys; i < ys + 4; i++) out[at++] = bytes[i];
  out[at++] = TAB;
  for (let i = ps; i < pe; i++) out[at++] = bytes[i];
  out[at++] = TAB;
  for (let i = 0; i < loadSeq.length; i++) out[at++] = loadSeq[i];
  out[at++] = TAB;
  at += FACT_LINE_WIDTHS.line;
  let rest = line;
  for (let i = at - 1; i >= at - FACT_LINE_WIDTHS.line; i--) {
    const digit = rest % 10;
    out[i] = ZERO + digit;
    rest = (rest - digit) / 10;
  }
  out[at++] = TAB;
  for (let i = es; i < ee; i++) out[at++] = bytes[i];
  out[at++] = TAB;
  for (let i = cs; i < ce; i++) out[at++] = bytes[i];
  out[at++] = TAB;
  for (let i = gs; i < ge; i++) {
    const b = bytes[i];
    if (b !== COMMA) out[at++] = b;
  }
  out[at++] = NEWLINE;
  run.used = at;
  return true;
}

// SPEC §1 "Duplicates and vintages" as a sort key.
//
// A figure travels between map and reduce as one text line whose plain string order is the
// order the rule needs:
//
//   key_hash \t fact_key \t year \t published \t load_seq \t line \t estimates_start_after \t country \t figure
//
// fact_key is `source:identity` (rules/normalize.ts factKey): figures of one publisher for one
// country, whatever name each record spells it with, decided in the map so the reduce needs no
// lookup. key_hash is a 32-bit hash of fact_key in 8 hex digits. It puts a country's figures
// together (which is all the rule needs of the order between countries) and lets a map task
// sort its lines by number, natively, instead of comparing strings (sortFactLines). Within a
// country, figures run by year; within a fact (region, country key, year) from oldest to
// current: an empty `published` sorts before any date (`\t` < `0`), then by load, then by
// input line (both zero-padded so text order is number order). The last figure of a fact is
// its current one, and the current one of a country's greatest year is its latest.
// A region's figures live in the region's own files, so the region need not be in the line.
// Cleaned names hold no tab or line break (white space runs became one space), so the line
// splits safely on `\t`.
//
// The figure is the input's millions of USD as digits (thousands separators dropped), which the
// reduce divides by 1000 exactly as the SPEC's rule does: the map then never formats a number.
// A figure read back from a database (appending) is already in billions and written `b…`.
// No two lines of one load share a line number, so neither estimates_start_after (four digits
// or empty) nor the figure ever takes part in the order.
import { isProjectionYear } from './normalize.js';

/**
 * Bumped whenever the line changes: a run directory keeps it in its plan, so that --resume
 * never merges map outputs written in an older format. 3: the figure in millions. 4: the key
 * is the source and the country's identity. 5: estimates_start_after after the line number.
 */
export const FACT_LINE_FORMAT = 5;

export interface FactLine {
  factKey: string;
  year: number;
  published: string | null;
  loadSeq: number;
  line: number;
  /** The publisher's last actual year, or null when the record gives none. */
  estimatesStartAfter: number | null;
  country: string;
  gdpUsdBillion: number;
}


const LOAD_SEQ_WIDTH = 6;
const LINE_WIDTH = 15;
const HASH_WIDTH = 8;
/** Field widths for writers of lines as bytes; `fixed` is a line's length less its texts. */
export const FACT_LINE_WIDTHS = {
  line: LINE_WIDTH,
  // hash, 8 tabs, a 4-digit year, load_seq, line and the final `\n` (estimates_start_after,
  // 0 or 4 digits, is counted by the writer)
  fixed: HASH_WIDTH + 8 + 4 + LOAD_SEQ_WIDTH + LINE_WIDTH + 1,
} as const;
const BILLIONS_TAG = 0x62; // `b`
/** PADS[n] is n zeros: zero-padding without building a string per figure. */
const PADS = Array.from({ length: LINE_WIDTH + 1 }, (_, n) => '0'.repeat(n));

function padded(value: number, width: number): string {
  const text = String(value);
  return PADS[width - text.length] + text;
}

const HEX_BYTE = Array.from({ length: 256 }, (_, b) => b.toString(16).padStart(2, '0'));

/** FNV-1a over the key's UTF-16 code units: cheap, and spreads similar names apart. */
export function keyHash(factKey: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < factKey.length; i++) h = Math.imul(h ^ factKey.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

function hashText(hash: number): string {
  return HEX_BYTE[hash >>> 24] + HEX_BYTE[(hash >>> 16) & 0xff] + HEX_BYTE[(hash >>> 8) & 0xff] + HEX_BYTE[hash & 0xff];
}

/** The line of a figure already in billions: an earlier load's row, read back to be merged. */
export function encodeFact(f: FactLine): string {
  return encodeFactLine(keyHash(f.factKey), f.factKey, f.year, f.published, padded(f.loadSeq, LOAD_SEQ_WIDTH), f.line, f.estimatesStartAfter, f.country, `b${f.gdpUsdBillion}`);
}

/** A load's sequence number as fact lines spell it; computed once per task. */
export function loadSeqText(loadSeq: number): string {
  return padded(loadSeq, LOAD_SEQ_WIDTH);
}

/**
 * The line of one figure. `figure` is millions of USD as decimal text, or `b` and billions.
 * The map writes most lines as bytes (map/plain-record.ts); this is the reference it is
 * tested against, and the writer of the records that need cleaning.
 */
export function encodeFactLine(hash: number, factKey: string, year: number, published: string | null, loadSeq: string, line: number, estimatesStartAfter: number | null, country: string, figure: string): string {
  const lineText = String(line);
  return `${hashText(hash)}\t${factKey}\t${year}\t${published ?? ''}\t${loadSeq}\t${PADS[LINE_WIDTH - lineText.length]}${lineText}\t${estimatesStartAfter ?? ''}\t${country}\t${figure}`;
}

/** The figure field's value in billions of USD: `1234567.8` millions, or `b1234.5678`. */
function figureBillions(text: string, from: number): number {
  return text.charCodeAt(from) === BILLIONS_TAG ? Number(text.slice(from + 1)) : Number(text.slice(from)) / 1000;
}

export function decodeFact(text: string): FactLine {
  const p = text.split('\t');
  return {
    factKey: p[1],
    year: Number(p[2]),
    published: p[3] === '' ? null : p[3],
    loadSeq: Number(p[4]),
    line: Number(p[5]),
    estimatesStartAfter: p[6] === '' ? null : Number(p[6]),
    country: p[7],
    gdpUsdBillion: figureBillions(p[8], 0),
  };
}

/** The decimal number written in text[from, to): digits only, as the line's numbers are. */
function digitsAt(text: string, from: number, to: number): number {
  let value = 0;
  for (let i = from; i < to; i++) value = value * 10 + (text.charCodeAt(i) - 48);
  return value;
}

/**
 * `decodeFact` into a reused object, without splitting the line: the fixed-width load and
 * line numbers are read in place, and only the three text fields become strings. A reduce
 * task calls this once per loaded row; `decodeFact` is the reference it is tested against.
 */
/** Where estimates_start_after starts, in a line whose `published` ends at publishedEnd. */
const estimatesStart = (publishedEnd: number): number => publishedEnd + 1 + LOAD_SEQ_WIDTH + 1 + LINE_WIDTH + 1;

/** The line's estimates_start_after (four digits or empty) read in place, from estimatesStart. */
function estimatesAt(text: string, start: number): number | null {
  return text.charCodeAt(start) === 0x09 ? null : digitsAt(text, start, start + 4);
}

export function readFact(text: string, into: FactLine): FactLine {
  const keyEnd = text.indexOf('\t', HASH_WIDTH + 1);
  const yearEnd = text.indexOf('\t', keyEnd + 1);
  const publishedEnd = text.indexOf('\t', yearEnd + 1);
  const lineStart = publishedEnd + 1 + LOAD_SEQ_WIDTH + 1;
  const esaStart = estimatesStart(publishedEnd);
  const estimatesStartAfter = estimatesAt(text, esaStart);
  const countryStart = estimatesStartAfter === null ? esaStart + 1 : esaStart + 5;
  const countryEnd = text.indexOf('\t', countryStart);
  into.factKey = text.slice(HASH_WIDTH + 1, keyEnd);
  into.year = digitsAt(text, keyEnd + 1, yearEnd);
  into.published = publishedEnd === yearEnd + 1 ? null : text.slice(yearEnd + 1, publishedEnd);
  into.loadSeq = digitsAt(text, publishedEnd + 1, publishedEnd + 1 + LOAD_SEQ_WIDTH);
  into.line = digitsAt(text, lineStart, lineStart + LINE_WIDTH);
  into.estimatesStartAfter = estimatesStartAfter;
  into.country = text.slice(countryStart, countryEnd);
  into.gdpUsdBillion = figureBillions(text, countryEnd + 1);
  return into;
}

/** a[from, to) equals b[from, to), compared in place: this runs once per loaded row. */
function sameSpan(a: string, b: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) if (a.charCodeAt(i) !== b.charCodeAt(i)) return false;
  return true;
}

export interface MarkedFact {
  text: string;
  isCurrent: boolean;
  /** SPEC §1: the publisher's estimate or forecast (isProjectionYear). */
  isProjection: boolean;
  /**
   * SPEC §3: the country's current figure of the greatest year that is not a projection: what
   * a query without --year (and without --projections) reads.
   */
  isLatest: boolean;
  /**
   * SPEC §9: the `published` of the vintage that superseded this figure; null while it is
   * current; '' (before every date) when an undated figure superseded it, as an undated figure
   * is older than any date and so was never current.
   */
  validTo: string | null;
  /**
   * When this figure was its country's latest one: `[latestFrom, latestTo)`, where latestFrom
   * is '' for "since before every date" (an undated figure). latestTo is LATEST_FOREVER while
   * it still is; '' when it never was. The interval an --as-of query without --year reads.
   */
  latestFrom: string;
  latestTo: string;
}

/** latest_to of a figure that is still its country's latest: after every date. */
export const LATEST_FOREVER = '9999-12-31';

/**
 * Marks current and latest figures, and their validity intervals, in a stream of fact lines
 * that arrives in sort order. Holds back one country's lines: an interval ends where the
 * next vintage starts, and a figure stops being latest where a greater year's figure that is
 * not a projection becomes current.
 *
 * A figure is its country's latest on the dates of its own validity interval at which no
 * greater year's current figure is an actual one (not a projection). With `published` alone
 * those dates were always one interval; with `estimates_start_after` a later vintage may call
 * a year an estimate again, and they may be several. A row stores the hull of them (first
 * start, last end): on a date in a gap of that hull some greater year's figure is latest, and
 * its hull holds the date too, so "the greatest year among the rows whose latest interval
 * holds D" (figuresSql) is exact either way, and without gaps (the common case) one row holds D.
 */
export class CurrentMarker {
  private readonly lines: string[] = [];
  /** published of each held line ('' when undated) and where each fact starts. */
  private readonly published: string[] = [];
  /** SPEC §1's projection rule of each held line (rules/normalize.ts isProjectionYear). */
  private readonly projections: boolean[] = [];
  private readonly factStarts: number[] = [];
  private heldKey = '';
  private readonly latestFrom: string[] = [];
  private readonly latestTo: string[] = [];
  /** Dates at which a greater year's current figure is actual: sorted disjoint [from, to) pairs. */
  /**
   * Dates at which a greater year's current figure is actual: sorted disjoint [from, to) pairs,
   * the first coveredCount entries. Counters, not array lengths: truncating an array is a
   * runtime call, and this runs once per fact (it was a third of the marker's time).
   */
  private covered: string[] = [];
  private coveredCount = 0;
  /** One fact's actual figures' intervals, and the merge's output, likewise. */
  private readonly own: string[] = [];
  private merged: string[] = [];
  /**
   * Rows whose "latest" dates had a gap (stored as their hull): where there are none, one row
   * of a country holds any date, and the queries need not pick the greatest year.
   */
  hullsWithGaps = 0;
  private readonly fact: MarkedFact = { text: '', isCurrent: false, isProjection: false, isLatest: false, validTo: null, latestFrom: '', latestTo: LATEST_FOREVER };

  /** `emit` gets one object, reused for every row: copy what is kept beyond the call. */
  constructor(private readonly emit: (fact: MarkedFact) => void) {}

  push(text: string): void {
    // A country is its hash and key together, [0, keyEnd); a fact adds the year.
    const keyEnd = text.indexOf('\t', HASH_WIDTH + 1);
    const factEnd = text.indexOf('\t', keyEnd + 1);
    const publishedEnd = text.indexOf('\t', factEnd + 1);
    const n = this.lines.length;
    if (n > 0) {
      const held = this.lines[n - 1];
      if (keyEnd !== this.heldKey.length || !text.startsWith(this.heldKey)) this.flush();
      else if (!sameSpan(held, text, keyEnd, factEnd + 1)) this.factStarts.push(n);
    }
    if (this.lines.length === 0) {
      this.heldKey = text.slice(0, keyEnd);
      this.factStarts.push(0);
    }
    this.lines.push(text);
    this.published.push(text.slice(factEnd + 1, publishedEnd));
    const estimatesStartAfter = estimatesAt(text, estimatesStart(publishedEnd));
    const publishedYear = publishedEnd === factEnd + 1 ? null : digitsAt(text, factEnd + 1, factEnd + 5);
    this.projections.push(isProjectionYear(digitsAt(text, keyEnd + 1, factEnd), publishedYear, estimatesStartAfter));
  }

  finish(): void {
    if (this.lines.length > 0) this.flush();
  }

  private flush(): void {
    const { lines, published, projections, factStarts, fact } = this;
    const count = lines.length;
    const latestFrom = this.latestFrom;
    const latestTo = this.latestTo;
    latestFrom.length = count;
    latestTo.length = count;
    this.coveredCount = 0;
    const own = this.own;
    // Facts from the greatest year down: each row's interval less what greater years cover.
    for (let f = factStarts.length - 1; f >= 0; f--) {
      const from = factStarts[f];
      const to = f + 1 < factStarts.length ? factStarts[f + 1] : count;
      let owned = 0;
      for (let i = from; i < to; i++) {
        const start = published[i];
        const end = i === to - 1 ? LATEST_FOREVER : published[i + 1];
        // An empty interval is '' whatever its end: one spelling of "never", as documented.
        latestFrom[i] = '';
        latestTo[i] = '';
        if (projections[i] || end <= start) continue;
        if (this.coveredCount > 0) this.uncoveredHull(start, end, i);
        else {
          latestFrom[i] = start;
          latestTo[i] = end;
        }
        // This fact's actual figures' intervals follow one another: join touching ones.
        if (owned > 0 && own[owned - 1] === start) own[owned - 1] = end;
        else {
          own[owned++] = start;
          own[owned++] = end;
        }
      }
      if (owned > 0) this.cover(owned);
    }
    // One object, reused for every row: the reduce reads it before the next one comes.
    let f = 0;
    const lastFact = factStarts.length - 1;
    for (let i = 0; i < count; i++) {
      if (f < lastFact && i === factStarts[f + 1]) f++;
      const last = i === (f < lastFact ? factStarts[f + 1] : count) - 1;
      fact.text = lines[i];
      fact.isCurrent = last;
      fact.isProjection = projections[i];
      fact.isLatest = last && latestTo[i] === LATEST_FOREVER;
      fact.validTo = last ? null : published[i + 1];
      fact.latestFrom = latestFrom[i];
      fact.latestTo = latestTo[i];
      this.emit(fact);
    }
    lines.length = 0;
    published.length = 0;
    projections.length = 0;
    factStarts.length = 0;
  }

  /** Row i's latest interval: the hull of [start, end) less the covered dates ('' '' if none). */
  private uncoveredHull(start: string, end: string, i: number): void {
    const covered = this.covered;
    let cursor = start;
    let first = '';
    let last = '';
    let pieces = 0;
    for (let c = 0; c < this.coveredCount && cursor < end; c += 2) {
      const a = covered[c];
      const b = covered[c + 1];
      if (b <= cursor) continue;
      if (a >= end) break;
      // [cursor, a) is not covered: a piece of the row's latest dates.
      if (a > cursor) {
        if (pieces++ === 0) first = cursor;
        last = a;
      }
      cursor = b;
    }
    if (cursor < end) {
      if (pieces++ === 0) first = cursor;
      last = end;
    }
    if (pieces > 1) this.hullsWithGaps++;
    if (pieces > 0) {
      this.latestFrom[i] = first;
      this.latestTo[i] = last;
    }
  }

  /** covered ∪ the first `owned` entries of own, both sorted disjoint pairs. */
  private cover(owned: number): void {
    const a = this.covered;
    const add = this.own;
    const n = this.coveredCount;
    if (n === 0) {
      for (let j = 0; j < owned; j++) a[j] = add[j];
      this.coveredCount = owned;
      return;
    }
    const out = this.merged;
    let k = 0;
    let i = 0;
    let j = 0;
    while (i < n || j < owned) {
      let from: string;
      let to: string;
      if (j >= owned || (i < n && a[i] <= add[j])) {
        from = a[i];
        to = a[i + 1];
        i += 2;
      } else {
        from = add[j];
        to = add[j + 1];
        j += 2;
      }
      if (k > 0 && from <= out[k - 1]) {
        if (to > out[k - 1]) out[k - 1] = to;
      } else {
        out[k++] = from;
        out[k++] = to;
      }
    }
    this.merged = a;
    this.covered = out;
    this.coveredCount = k;
  }
}

/** The whole rule on an unsorted list, for tests and the sequential reference. */
export function markAll(lines: readonly string[]): MarkedFact[] {
  const out: MarkedFact[] = [];
  const marker = new CurrentMarker((f) => out.push({ ...f }));
  for (const text of [...lines].sort()) marker.push(text);
  marker.finish();
  return out;
}

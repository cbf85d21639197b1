// SPEC §1's tokenizer as a byte-level state machine, with no I/O.
//
// Two uses share the one transition table below:
//  - `scanRange` runs the machine over a byte range from every possible start state at
//    once, so ranges can be scanned in parallel and chained left to right afterwards
//    (`chainStates`): that is how a split learns where its records begin.
//  - `readRecord` tokenizes one record from a known record start into field ranges.
//
// REC_START is the SPEC's START at the beginning of a record. It moves like START; keeping it
// apart lets a byte offset say whether a record begins there.

export const REC_START = 0;
export const START = 1;
export const UNQUOTED = 2;
export const QUOTED = 3;
export const QUOTE_SEEN = 4;
export const STATE_COUNT = 5;
export type TokenizerState = 0 | 1 | 2 | 3 | 4;
const OTHER = 0;
const QUOTE = 1;
const COMMA = 2;
const LF = 3;
const CR = 4;
const CLASS_COUNT = 5;

const BYTE_CLASS = new Uint8Array(256);
BYTE_CLASS[0x22] = QUOTE;
BYTE_CLASS[0x2c] = COMMA;
BYTE_CLASS[0x0a] = LF;
BYTE_CLASS[0x0d] = CR;

/** NEXT[state * CLASS_COUNT + byteClass] — the SPEC's table, one row per state. */
const NEXT = new Uint8Array(STATE_COUNT * CLASS_COUNT);
function row(state: number, other: number, quote: number, comma: number, lf: number, cr: number): void {
  const base = state * CLASS_COUNT;
  NEXT[base + OTHER] = other;
  NEXT[base + QUOTE] = quote;
  NEXT[base + COMMA] = comma;
  NEXT[base + LF] = lf;
  NEXT[base + CR] = cr;
}
row(REC_START, UNQUOTED, QUOTED, START, REC_START, UNQUOTED);
row(START, UNQUOTED, QUOTED, START, REC_START, UNQUOTED);
row(UNQUOTED, UNQUOTED, UNQUOTED, START, REC_START, UNQUOTED);
row(QUOTED, QUOTED, QUOTE_SEEN, QUOTED, QUOTED, QUOTED);
// QUOTE_SEEN + other byte makes the record malformed; for boundaries only the state matters.
row(QUOTE_SEEN, UNQUOTED, QUOTED, START, REC_START, QUOTE_SEEN);

/** One step of the machine; exported for tests of the table itself. */
export function nextState(state: TokenizerState, byte: number): TokenizerState {
  return NEXT[state * CLASS_COUNT + BYTE_CLASS[byte]] as TokenizerState;
}

/** What a byte range does to the tokenizer, whatever state it is entered in. */
export interface RangeScan {
  /** exitStates[s] is the state after the range when it is entered in state s. */
  exitStates: TokenizerState[];
  /** `\n` bytes in the range: physical line breaks, whatever the state. */
  newlines: number;
}

export function scanRange(bytes: Uint8Array, from = 0, to = bytes.length): RangeScan {
  let s0 = REC_START, s1 = START, s2 = UNQUOTED, s3 = QUOTED, s4 = QUOTE_SEEN;
  let newlines = 0;
  let i = from;
  let converged = false;
  // Lockstep until the five tracks agree; they usually do after the first line outside
  // quotes, and from then on one track is enough.
  for (; i < to; i++) {
    const c = BYTE_CLASS[bytes[i]];
    s0 = NEXT[s0 * CLASS_COUNT + c];
    s1 = NEXT[s1 * CLASS_COUNT + c];
    s2 = NEXT[s2 * CLASS_COUNT + c];
    s3 = NEXT[s3 * CLASS_COUNT + c];
    s4 = NEXT[s4 * CLASS_COUNT + c];
    if (c === LF) {
      newlines++;
      if (s0 === s1 && s0 === s2 && s0 === s3 && s0 === s4) {
        converged = true;
        i++;
        break;
      }
    }
  }
  if (!converged) return { exitStates: [s0, s1, s2, s3, s4] as TokenizerState[], newlines };
  let s = s0;
  for (; i < to; i++) {
    const c = BYTE_CLASS[bytes[i]];
    if (c === LF) newlines++;
    s = NEXT[s * CLASS_COUNT + c];
  }
  const exit = s as TokenizerState;
  return { exitStates: [exit, exit, exit, exit, exit], newlines };
}

/** The state after a scanned range entered in `state`: one link of the chain. */
export function stateAfter(scan: RangeScan, state: TokenizerState): TokenizerState {
  return scan.exitStates[state];
}

/** Chains scans left to right: the state at the start of each range, given the first. */
export function chainStates(first: TokenizerState, scans: readonly RangeScan[]): TokenizerState[] {
  const starts: TokenizerState[] = [];
  let state = first;
  for (const scan of scans) {
    starts.push(state);
    state = stateAfter(scan, state);
  }
  return starts;
}

/**
 * Advances from `from` in `state` to the next record start (REC_START just after a `\n`).
 * Returns the offset of that record start, or -1 if the range ends first; `newlines` counts
 * the `\n` bytes passed over.
 */
export function skipToRecordStart(
  bytes: Uint8Array,
  from: number,
  to: number,
  state: TokenizerState,
): { offset: number; newlines: number } {
  if (state === REC_START) return { offset: from, newlines: 0 };
  let s: number = state;
  let newlines = 0;
  for (let i = from; i < to; i++) {
    const c = BYTE_CLASS[bytes[i]];
    s = NEXT[s * CLASS_COUNT + c];
    if (c === LF) {
      newlines++;
      if (s === REC_START) return { offset: i + 1, newlines };
    }
  }
  return { offset: -1, newlines };
}

/**
 * One record's layout inside a byte buffer. Reused between records: the hot loop allocates
 * nothing per record but the field strings it decides to decode.
 */
export class RecordLayout {
  /** Offset of the record's first byte. */
  start = 0;
  /** End of the record's text (its line ending excluded). */
  textEnd = 0;
  /** Offset just after the record (after its `\n`, or the end of input). */
  next = 0;
  /** The tokenizer marked it malformed: text after a closing quote, or a quote never closed. */
  malformed = false;
  /** `\n` bytes inside the record and its line ending. */
  newlines = 0;
  fieldCount = 0;
  fieldStart = new Int32Array(16);
  fieldEnd = new Int32Array(16);
  /** The field was quoted and holds `""` pairs to fold into one `"`. */
  fieldEscaped = new Uint8Array(16);

  /** A blank line: a record whose text is empty, which is not a record at all. */
  get blank(): boolean {
    return this.textEnd === this.start;
  }

  pushField(start: number, end: number, escaped: boolean): void {
    if (this.fieldCount === this.fieldStart.length) this.grow();
    this.fieldStart[this.fieldCount] = start;
    this.fieldEnd[this.fieldCount] = end;
    this.fieldEscaped[this.fieldCount] = escaped ? 1 : 0;
    this.fieldCount++;
  }

  private grow(): void {
    const size = this.fieldStart.length * 2;
    const starts = new Int32Array(size);
    starts.set(this.fieldStart);
    const ends = new Int32Array(size);
    ends.set(this.fieldEnd);
    const escaped = new Uint8Array(size);
    escaped.set(this.fieldEscaped);
    this.fieldStart = starts;
    this.fieldEnd = ends;
    this.fieldEscaped = escaped;
  }
}

const DOUBLED_QUOTE = /""/g;

/** Decodes field `index` of a laid-out record from UTF-8. */
export function fieldText(bytes: Buffer, layout: RecordLayout, index: number): string {
  const text = bytes.toString('utf8', layout.fieldStart[index], layout.fieldEnd[index]);
  return layout.fieldEscaped[index] === 1 ? text.replace(DOUBLED_QUOTE, '"') : text;
}

export function allFields(bytes: Buffer, layout: RecordLayout): string[] {
  const fields: string[] = [];
  for (let f = 0; f < layout.fieldCount; f++) fields.push(fieldText(bytes, layout, f));
  return fields;
}

/**
 * Tokenizes the record that starts at `from` (which must be a record start) into `layout`.
 * Returns false when the buffer ends inside the record and `atEof` is false: the caller reads
 * more input and calls again from the same offset.
 */
export function readRecord(bytes: Uint8Array, from: number, to: number, atEof: boolean, layout: RecordLayout): boolean {
  layout.start = from;
  layout.malformed = false;
  layout.newlines = 0;
  layout.fieldCount = 0;
  let state: number = REC_START;
  let fieldStart = from;
  let contentEnd = from;
  let escaped = false;
  let newlines = 0;
  for (let i = from; i < to; i++) {
    const b = bytes[i];
    const c = BYTE_CLASS[b];
    switch (state) {
      case REC_START:
      case START:
        if (c === QUOTE) {
          state = QUOTED;
          fieldStart = i + 1;
          escaped = false;
        } else if (c === COMMA) {
          layout.pushField(i, i, false);
          state = START;
        } else if (c === LF) {
          newlines++;
          layout.pushField(i, i, false);
          return finish(bytes, layout, i, newlines);
        } else {
          state = UNQUOTED;
          fieldStart = i;
        }
        break;
      case UNQUOTED:
        if (c === COMMA) {
          layout.pushField(fieldStart, i, false);
          state = START;
        } else if (c === LF) {
          newlines++;
          layout.pushField(fieldStart, i, false);
          return finish(bytes, layout, i, newlines);
        }
        break;
      case QUOTED:
        if (c === QUOTE) {
          state = QUOTE_SEEN;
          contentEnd = i;
        } else if (c === LF) {
          newlines++;
        }
        break;
      default: // QUOTE_SEEN
        if (c === QUOTE) {
          state = QUOTED;
          escaped = true;
        } else if (c === COMMA) {
          layout.pushField(fieldStart, contentEnd, escaped);
          state = START;
        } else if (c === LF) {
          newlines++;
          layout.pushField(fieldStart, contentEnd, escaped);
          return finish(bytes, layout, i, newlines);
        } else if (c !== CR) {
          layout.malformed = true;
          state = UNQUOTED;
        }
        break;
    }
  }
  if (!atEof) return false;
  // The input ends inside this record: it ends here, without a line ending.
  if (state === QUOTED) {
    layout.malformed = true;
    layout.pushField(fieldStart, to, escaped);
  } else if (state === QUOTE_SEEN) {
    layout.pushField(fieldStart, contentEnd, escaped);
  } else if (state === UNQUOTED) {
    layout.pushField(fieldStart, to, false);
  } else if (to > from) {
    // START after a comma: an empty last field. (REC_START at `to === from` is no record.)
    layout.pushField(to, to, false);
  }
  layout.textEnd = to;
  layout.next = to;
  layout.newlines = newlines;
  return true;
}

function finish(bytes: Uint8Array, layout: RecordLayout, lf: number, newlines: number): true {
  // A `\r` just before the `\n` that ends the record belongs to the line ending.
  const crlf = lf > layout.start && bytes[lf - 1] === 0x0d;
  layout.textEnd = crlf ? lf - 1 : lf;
  const last = layout.fieldCount - 1;
  if (crlf && layout.fieldEnd[last] === lf) layout.fieldEnd[last] = lf - 1;
  layout.next = lf + 1;
  layout.newlines = newlines;
  return true;
}

// SPEC §9's `query accuracy`, worked out once per fact as the reduce writes it: the fact's
// first actual figure, and for each of its projections the horizons H at which it was the
// figure current at the end of year Y - H. Asked at query time, both took a scan of every row
// and a join of two groupings (26 s on the 1 GB warehouse, against a 3 s target); stored as
// pairs, the question reads a table of a few per cent of the rows.
//
// A fact's rows come in the reduce's order: published ascending (undated first), then load and
// line. Row i is current over [published[i], validTo[i]) (validTo null: for good; '' when the
// next row is undated too: never), as the stored valid_to says.

/** The greatest `--horizon` of `query accuracy`: pairs are stored up to it. */
export const MAX_HORIZON = 50;

/** A fact's rows, as the reduce emits them, in parallel arrays reused from fact to fact. */
export class FactRows {
  count = 0;
  readonly published: Array<string | null> = [];
  readonly validTo: Array<string | null> = [];
  readonly isProjection: boolean[] = [];
  readonly figure: number[] = [];
  /** Where each row is stored (its load and line): what names the first actual row. */
  readonly loadSeq: number[] = [];
  readonly line: number[] = [];

  push(published: string | null, validTo: string | null, isProjection: boolean, figure: number, loadSeq: number, line: number): void {
    const i = this.count++;
    this.published[i] = published;
    this.validTo[i] = validTo;
    this.isProjection[i] = isProjection;
    this.figure[i] = figure;
    this.loadSeq[i] = loadSeq;
    this.line[i] = line;
  }
}

/** One projection and the first actual figure, for horizons [hLo, hHi]. */
export type EmitPair = (hLo: number, hHi: number, forecast: number, forecastPublished: string | null, actual: number, actualPublished: string | null) => void;

const yearOf = (date: string): number => Number(date.slice(0, 4));

/**
 * The index of a fact's first actual figure, or -1: the earliest published (undated before
 * every date), and of those the last in the input, as vintage-sql.ts's FIRST_KEY orders them.
 */
export function firstActual(rows: FactRows): number {
  let best = -1;
  for (let i = 0; i < rows.count; i++) {
    if (rows.isProjection[i]) continue;
    // Published ascending: the first actual's date is the least, and later rows of it come after.
    if (best === -1 || rows.published[i] === rows.published[best]) best = i;
  }
  return best;
}

/**
 * Emits, for fact year `year`, each projection that was current at the end of some year
 * Y - H (0 <= H <= MAX_HORIZON, Y - H not before year 0), with the fact's first actual
 * figure; nothing when the fact has no actual figure or its first one is 0 (no error in per
 * cent). As `--as-of (Y-H)-12-31` reads a row: published by that day (or undated), and its
 * validity not ended by it.
 */
export function forecastPairs(year: number, rows: FactRows, emit: EmitPair, a = firstActual(rows)): void {
  if (a === -1 || rows.figure[a] === 0) return;
  for (let i = 0; i < rows.count; i++) {
    if (!rows.isProjection[i]) continue;
    const published = rows.published[i];
    const validTo = rows.validTo[i];
    if (validTo === '') continue;
    // The years y whose last day the row's interval holds: from its published year (a date is
    // never after its year's end) to the year before the one its validity ends in.
    const firstYear = published === null ? 0 : Math.max(0, yearOf(published));
    const lastYear = validTo === null ? year : Math.min(year, yearOf(validTo) - 1);
    if (firstYear > lastYear) continue;
    const hLo = year - lastYear;
    const hHi = Math.min(MAX_HORIZON, year - firstYear);
    if (hLo > hHi) continue;
    emit(hLo, hHi, rows.figure[i], published, rows.figure[a], rows.published[a]);
  }
}

// SPEC §1 "Duplicates and vintages" as a sort key.
//
// A figure travels between map and reduce as one text line whose plain string order is the
// order the rule needs:
//
//   country_key \t year \t published \t load_seq \t line \t country \t gdp_usd_billion
//
// Figures of one fact (region, country key, year) are adjacent; within a fact they run from
// oldest to current: an empty `published` sorts before any date (`\t` < `0`), then by load,
// then by input line (both zero-padded so text order is number order). The last figure of a
// fact is its current one, and the current one of a country's greatest year is its latest.
// A region's figures live in the region's own files, so the region need not be in the line.
// Cleaned names hold no tab or line break (white space runs became one space), so the line
// splits safely on `\t`.

export interface FactLine {
  countryKey: string;
  year: number;
  published: string | null;
  loadSeq: number;
  line: number;
  country: string;
  gdpUsdBillion: number;
}

const LOAD_SEQ_WIDTH = 6;
const LINE_WIDTH = 15;
const LOAD_SEQ_PAD = '0'.repeat(LOAD_SEQ_WIDTH);
const LINE_PAD = '0'.repeat(LINE_WIDTH);

export function encodeFact(f: FactLine): string {
  return factPrefix(f.countryKey) + encodeFactRest(f.year, f.published, f.loadSeq, f.line, f.country, f.gdpUsdBillion);
}

/**
 * A fact line is its country's prefix followed by the rest. Lines of different countries
 * compare as their prefixes do (a prefix holds one tab, at its end, so neither prefix can
 * start the other).
 */
export function factPrefix(countryKey: string): string {
  return countryKey + '\t';
}

export function encodeFactRest(year: number, published: string | null, loadSeq: number, line: number, country: string, gdpUsdBillion: number): string {
  const seq = String(loadSeq);
  const lineText = String(line);
  return `${year}\t${published ?? ''}\t${LOAD_SEQ_PAD.substring(seq.length)}${seq}\t${LINE_PAD.substring(lineText.length)}${lineText}\t${country}\t${gdpUsdBillion}`;
}

export function decodeFact(text: string): FactLine {
  const p = text.split('\t');
  return {
    countryKey: p[0],
    year: Number(p[1]),
    published: p[2] === '' ? null : p[2],
    loadSeq: Number(p[3]),
    line: Number(p[4]),
    country: p[5],
    gdpUsdBillion: Number(p[6]),
  };
}

/** Length of the `country_key \t year` prefix that names the fact. */
function factPrefixLength(text: string): number {
  return text.indexOf('\t', text.indexOf('\t') + 1);
}

function sameCountry(a: string, b: string): boolean {
  const end = a.indexOf('\t');
  return end === b.indexOf('\t') && a.startsWith(b.slice(0, end));
}

function sameFact(a: string, b: string): boolean {
  const end = factPrefixLength(a);
  return end === factPrefixLength(b) && a.startsWith(b.slice(0, end));
}

export interface MarkedFact {
  text: string;
  isCurrent: boolean;
  /** The current figure of the country's greatest year: what a query without --year reads. */
  isLatest: boolean;
}

/**
 * Marks current and latest figures in a stream of fact lines that arrives in sort order.
 * Holds one line back: a figure's fate is known when the next one arrives.
 */
export class CurrentMarker {
  private held: string | undefined;

  constructor(private readonly emit: (fact: MarkedFact) => void) {}

  push(text: string): void {
    const held = this.held;
    if (held !== undefined) {
      const lastOfCountry = !sameCountry(held, text);
      const lastOfFact = lastOfCountry || !sameFact(held, text);
      this.emit({ text: held, isCurrent: lastOfFact, isLatest: lastOfCountry });
    }
    this.held = text;
  }

  finish(): void {
    if (this.held !== undefined) this.emit({ text: this.held, isCurrent: true, isLatest: true });
    this.held = undefined;
  }
}

/** The whole rule on an unsorted list, for tests and the sequential reference. */
export function markAll(lines: readonly string[]): MarkedFact[] {
  const out: MarkedFact[] = [];
  const marker = new CurrentMarker((f) => out.push(f));
  for (const text of [...lines].sort()) marker.push(text);
  marker.finish();
  return out;
}

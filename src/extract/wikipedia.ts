// SPEC §8: Wikipedia's "List of countries by GDP (nominal)" as dump rows. The table is found
// by its header text, never by position: a `Country/Territory` column and a column group named
// for the source, whose two sub-columns are the figure and its `Year`.
import { elements, GridTooLarge, parseHtml, tableGrid, type Grid } from './html-table.js';

export const WIKIPEDIA_SOURCES = { imf: 'IMF', world_bank: 'World Bank', un: 'United Nations' } as const;
export type WikipediaSource = keyof typeof WIKIPEDIA_SOURCES;

export interface DumpRow {
  country: string;
  /** ISO 3166-1 alpha-3, or '' when the source gives none (the run then looks the name up). */
  country_code: string;
  year: string;
  gdp_usd_million: string;
}

export interface PageRevision {
  id: number | null;
  /** YYYY-MM-DD of the revision, from the page's own metadata; null when it gives none. */
  date: string | null;
}

export type WikipediaResult =
  | { ok: true; rows: DumpRow[]; revision: PageRevision; /** Other tables that matched too: the first is used, these are said. */ alsoMatched: string[] }
  | { ok: false; reason: string };

/** Header text as compared: footnote markers such as `[1]` dropped, white space folded. */
function headerKey(text: string): string {
  return text.replace(/\[[^\]]*\]/g, '').replace(/\s+/g, ' ').trim().toLowerCase();
}

interface Columns {
  country: number;
  figure: number;
  year: number;
}

/** Each column's header texts, top to bottom, with a spanning cell named once. */
function headerPaths(grid: Grid): string[][] {
  const width = Math.max(0, ...grid.rows.slice(0, grid.headerRows).map((r) => r.length));
  const paths: string[][] = [];
  for (let c = 0; c < width; c++) {
    const path: string[] = [];
    let last: unknown;
    for (let r = 0; r < grid.headerRows; r++) {
      const cell = grid.rows[r][c];
      if (cell === undefined || cell === last) continue;
      last = cell;
      path.push(headerKey(cell.text));
    }
    paths.push(path);
  }
  return paths;
}

function findColumns(grid: Grid, group: string): Columns | undefined {
  const paths = headerPaths(grid);
  const country = paths.findIndex((p) => p.includes('country/territory'));
  const inGroup = paths.map((p, c) => ({ p, c })).filter(({ p }) => p.length >= 2 && p[0] === group.toLowerCase());
  const year = inGroup.find(({ p }) => p[p.length - 1] === 'year');
  const figure = inGroup.find(({ p }) => p[p.length - 1] !== 'year');
  if (country < 0 || year === undefined || figure === undefined) return undefined;
  return { country, figure: figure.c, year: year.c };
}

/** The page's revision, from its own metadata: the JSON-LD `dateModified` and `wgRevisionId`. */
function pageRevision(document: ReturnType<typeof parseHtml>): PageRevision {
  let id: number | null = null;
  let date: string | null = null;
  for (const script of elements(document, 'script')) {
    const text = script.childNodes.map((n) => ('value' in n ? String(n.value) : '')).join('');
    const type = script.attrs.find((a) => a.name === 'type')?.value;
    if (type === 'application/ld+json') {
      try {
        const meta = JSON.parse(text) as { dateModified?: unknown };
        if (typeof meta.dateModified === 'string' && /^\d{4}-\d{2}-\d{2}/.test(meta.dateModified)) date = meta.dateModified.slice(0, 10);
      } catch {
        // not the metadata block
      }
    }
    const rev = /"wgRevisionId"\s*:\s*(\d+)/.exec(text);
    if (rev !== null) id = Number(rev[1]);
  }
  return { id, date };
}

/** The rows of the source's figure column group, in page order. */
export function extractWikipedia(html: string, source: WikipediaSource): WikipediaResult {
  const document = parseHtml(html);
  const group = WIKIPEDIA_SOURCES[source];
  const seen: string[] = [];
  let found: { rows: DumpRow[]; alsoMatched: string[] } | undefined;
  for (const table of elements(document, 'table')) {
    let grid: Grid;
    try {
      grid = tableGrid(table);
    } catch (error) {
      if (error instanceof GridTooLarge) return { ok: false, reason: error.message };
      throw error;
    }
    const columns = findColumns(grid, group);
    if (columns === undefined) {
      const headers = headerPaths(grid).map((p) => p.join(' / ')).filter((h) => h !== '');
      if (headers.length > 0) seen.push(`${grid.caption === '' ? 'a table' : JSON.stringify(grid.caption)} with columns ${headers.slice(0, 8).map((h) => JSON.stringify(h)).join(', ')}`);
      continue;
    }
    const name = grid.caption === '' ? 'a table' : JSON.stringify(grid.caption.slice(0, 80));
    if (found !== undefined) {
      found.alsoMatched.push(`${name} of ${grid.rows.length - grid.headerRows} rows`);
      continue;
    }
    const rows: DumpRow[] = [];
    for (const row of grid.rows.slice(grid.headerRows)) {
      const country = row[columns.country];
      const figure = row[columns.figure];
      const year = row[columns.year];
      // A header row repeated inside the body, or a row too short for the columns, is no figure.
      if (country === undefined || figure === undefined || (country.header && figure.header)) continue;
      rows.push({ country: country.text, country_code: '', gdp_usd_million: figure.text, year: year === undefined || year === figure ? '' : year.text });
    }
    found = { rows, alsoMatched: [] };
  }
  if (found !== undefined) return { ok: true, ...found, revision: pageRevision(document) };
  const others = seen.length === 0 ? 'no tables with header rows' : `${seen.length} other table(s): ${seen.slice(0, 5).join('; ')}`;
  return { ok: false, reason: `no table with a "Country/Territory" column and a "${group}" column group of a figure and its "Year"; found ${others}` };
}

/**
 * A page's bytes as text, in the charset it declares: a byte-order mark, else the HTTP
 * Content-Type's charset, else a `<meta charset>` (or http-equiv) in its first 1024 bytes, else
 * UTF-8. A charset this Node does not know is an error naming it.
 */
export function decodePage(bytes: Buffer, contentType: string | null): { text: string; charset: string } | { error: string } {
  let charset: string | undefined;
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) charset = 'utf-8';
  else if (bytes[0] === 0xff && bytes[1] === 0xfe) charset = 'utf-16le';
  else if (bytes[0] === 0xfe && bytes[1] === 0xff) charset = 'utf-16be';
  if (charset === undefined && contentType !== null) charset = /charset\s*=\s*"?([\w.:-]+)/i.exec(contentType)?.[1];
  if (charset === undefined) {
    const head = bytes.subarray(0, 1024).toString('latin1');
    charset = /<meta[^>]+charset\s*=\s*["']?([\w.:-]+)/i.exec(head)?.[1];
  }
  const label = (charset ?? 'utf-8').toLowerCase();
  try {
    return { text: new TextDecoder(label).decode(bytes), charset: label };
  } catch {
    return { error: `declares the charset ${JSON.stringify(charset)}, which gdpmr cannot decode` };
  }
}

// A later vintage of a dump, for tests and benchmarks of revisions: the same rows with another
// `published`, every n-th figure revised up or down by a few per cent.
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';

/**
 * `csv` (a dump with a header naming gdp_usd_million and published) as the vintage published
 * on `published`: every `every`-th figure times 0.96 or 1.03 in turn, the rest as they were.
 */
export function revisedVintage(csv: string, published: string, every = 7): string {
  const [header, ...rows] = parse(csv, { bom: true, relax_column_count: true, skip_empty_lines: true }) as string[][];
  const gdp = header.indexOf('gdp_usd_million');
  const date = header.indexOf('published');
  if (gdp < 0 || date < 0) throw new Error('revisedVintage needs the columns gdp_usd_million and published');
  const revised = rows.map((row, i) => {
    const cells = [...row];
    const figure = Number(cells[gdp].replace(/,/g, ''));
    if (i % every === 0 && Number.isFinite(figure)) cells[gdp] = String(Math.round(figure * (i % 2 === 0 ? 96 : 103)) / 100);
    cells[date] = published;
    return cells;
  });
  return stringify([header, ...revised]);
}

// SPEC §10: the HTML report. The warehouse: the IMF's figures, a revision, the Wikipedia page.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanTempDirs, cli, ROOT, tempDir, writeInput, jsonAnswer, threeLoadWarehouse } from '../helpers.js';

afterAll(cleanTempDirs);

let out: string;
beforeAll(async () => {
  out = await threeLoadWarehouse();
});

const json = jsonAnswer;

describe('gdpmr report', () => {
  it('a 10,000-character, a right-to-left and a NUL name: shown in at most 48 characters, isolated, without the NUL', async () => {
    const dir = tempDir();
    const dump = writeInput(dir, 'names.csv', ['country,region,year,gdp_usd_million,published,source', `${'X'.repeat(10_000)},Asia,2023,99999999,2024-10-01,imf`, 'مصر العربية الكبرى,Asia,2023,88888888,2024-10-01,imf', 'Nul\u0000Land,Asia,2023,77777777,2024-10-01,imf'].join('\n') + '\n');
    const w = join(dir, 'w');
    expect((await cli(['run', dump, '--out', w])).code).toBe(0);
    const file = join(dir, 'r.html');
    expect((await cli(['report', '--warehouse', w, '--out', file])).code).toBe(0);
    const html = readFileSync(file, 'utf8');
    expect(html).toContain(`${'X'.repeat(47)}…`);
    expect(html).not.toContain('X'.repeat(48));
    expect(html).toContain('\u2068مصر العربية الكبرى\u2069');
    expect(html).not.toContain('\u0000');
    expect(html).toContain('NulLand');
  });

  it('one self-contained page: an SVG with a title per chart, no URL a browser would fetch, the numbers of query top5', async () => {
    const file = join(tempDir(), 'r.html');
    expect((await cli(['report', '--warehouse', out, '--out', file])).code).toBe(0);
    const html = readFileSync(file, 'utf8');
    const svgs = html.match(/<svg[\s\S]*?<\/svg>/g) ?? [];
    // Top 5, years, revisions, the revision heatmap, the forecast errors, loads, stages: each
    // drawn for a desktop and for a phone.
    expect(svgs).toHaveLength(14);
    for (const svg of svgs) expect(svg).toMatch(/role-title-text[^>]*aria-label="Title text '(Top|GDP|Largest revisions|Rejected|Stage|Change|Forecast)/);
    expect(html).not.toMatch(/<script|<link|<img|<iframe|@import|src=|url\(\s*['"]?(https?:)?\/\//i);
    expect(html.replace(/xmlns(:\w+)?="http:\/\/www\.w3\.org\/[^"]*"/g, '')).not.toMatch(/https?:\/\//);
    const top = await json(['query', 'top5', '--warehouse', out, '--json']);
    const fmt = (v: number) => `${v.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}\u00a0bn`;
    for (const region of top.regions) {
      expect(html).toContain(`<td class="n">${fmt(region.avg_gdp_usd_billion)}</td>`);
      for (const c of region.countries) expect(html).toContain(fmt(c.gdp_usd_billion));
    }
    expect(html).toContain('Largest revisions between the last two vintages');
    expect(html).toContain('Germany');
  });

  it('readable on a phone: every chart drawn for it too, every table in a box that scrolls, no text under 11 px, no "bn" wrapped away', async () => {
    const file = join(tempDir(), 'r.html');
    expect((await cli(['report', '--warehouse', out, '--out', file])).code).toBe(0);
    const html = readFileSync(file, 'utf8');
    // Each chart twice, the phone's shown on a narrow screen; each table in a box that scrolls
    // sideways instead of shrinking its text.
    const charts = html.match(/<div class="chart"><div class="wide scroll"><svg[\s\S]*?<\/svg><\/div><div class="narrow"><svg/g) ?? [];
    expect(charts.length * 2).toBe((html.match(/<svg/g) ?? []).length);
    expect(html).toContain('@media (max-width: 600px) { .chart .wide { display: none; } .chart .narrow { display: block; } }');
    expect((html.match(/<div class="scroll"><table>/g) ?? []).length).toBe((html.match(/<table>/g) ?? []).length);
    expect(html).toContain('.scroll { overflow-x: auto;');
    expect(html).toContain('.chart svg { display: block; margin: 8px 0; max-width: none;');
    const sizes = [...html.matchAll(/font-size(?:="|:\s*)(\d+(?:\.\d+)?)px/g)].map((m) => Number(m[1]));
    expect(sizes.length).toBeGreaterThan(20);
    expect(Math.min(...sizes)).toBeGreaterThanOrEqual(11);
    expect(html).not.toMatch(/\d bn/);
  });

  it('says which source it shows and lists the others; projections drawn dashed', async () => {
    const dir = tempDir();
    const w = join(dir, 'w');
    const imf = join(dir, 'imf.csv');
    const wb = join(dir, 'wb.csv');
    const saved = join(ROOT, 'data', 'sources');
    expect((await cli(['extract', 'imf', '--file', join(saved, 'imf_datamapper_NGDPD_raw.json'), '--countries', join(saved, 'imf_datamapper_countries.json'), '--published', '2024-10-22', '--out', imf])).code).toBe(0);
    expect((await cli(['extract', 'wikipedia', '--file', join(saved, 'wikipedia_gdp_nominal_rev1267927482_2025-01-07.html'), '--source', 'world_bank', '--out', wb])).code).toBe(0);
    expect((await cli(['run', imf, '--out', w])).code).toBe(0);
    expect((await cli(['run', wb, '--out', w, '--append'])).code).toBe(0);
    const file = join(dir, 'r.html');
    expect((await cli(['report', '--warehouse', w, '--out', file])).code).toBe(0);
    const html = readFileSync(file, 'utf8');
    expect(html).toContain('Every chart and table below shows imf figures only');
    expect(html).toContain('The warehouse also holds world_bank');
    // The IMF's 2025–2029 figures are forecasts: a dashed line of their own.
    expect(html).toMatch(/stroke-dasharray="5,4"|stroke-dasharray="5 4"/);
    const other = join(dir, 'wb.html');
    expect((await cli(['report', '--warehouse', w, '--out', other, '--source', 'world_bank'])).code).toBe(0);
    expect(readFileSync(other, 'utf8')).toContain('Every chart and table below shows world_bank figures only');
  });

  it('writes DIR/report.html by default; --as-of changes what it shows', async () => {
    expect((await cli(['report', '--warehouse', out])).code).toBe(0);
    expect(existsSync(join(out, 'report.html'))).toBe(true);
    const file = join(tempDir(), 'old.html');
    expect((await cli(['report', '--warehouse', out, '--as-of', '2024-12-31', '--out', file])).code).toBe(0);
    expect(readFileSync(file, 'utf8')).toContain('latest as of 2024-12-31');
  });

  it('a directory that is no warehouse: exit 2, nothing written', async () => {
    const dir = tempDir();
    const r = await cli(['report', '--warehouse', dir]);
    expect(r.code).toBe(2);
    expect(readdirSync(dir)).toEqual([]);
  });
});


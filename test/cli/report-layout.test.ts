// The report as a reader sees it: Chromium lays it out at 390 px (a phone) and 1280 px (a
// desktop), and the laid-out DOM is checked for text under 11 px, labels over labels and a page
// wider than the window. Needs Debian's chromium (.ci/run installs it and sets
// GDPMR_REQUIRE_CHROMIUM, so that a missing browser fails CI instead of skipping).
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { revisedVintage } from '../../src/generate/revision.js';
import { cleanTempDirs, cli, IMF, ROOT, tempDir, WIKIPEDIA } from '../helpers.js';

const CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find(existsSync);
if (CHROMIUM === undefined && process.env.GDPMR_REQUIRE_CHROMIUM === '1') throw new Error('GDPMR_REQUIRE_CHROMIUM is set but chromium is not installed: apt-get install -y chromium');
if (CHROMIUM === undefined) console.warn('skipping the report layout tests: chromium is not installed (apt-get install -y chromium; .ci/run installs it)');

const CHECK = readFileSync(join(ROOT, 'test', 'fixtures', 'layout-check.js'), 'utf8');
const escapeAttribute = (text: string): string => text.replace(/&/g, '&amp;').replace(/"/g, '&quot;');

/** Lays `html` out `width` px wide (in an iframe: headless Chromium's window is at least 500 px) and returns what the check found. */
function layout(html: string, width: number): { width: number; problems: string[] } {
  const dir = tempDir();
  const page = join(dir, 'check.html');
  writeFileSync(
    page,
    `<!doctype html><html><body style="margin:0"><iframe id="f" style="width:${width}px;height:8000px;border:0" srcdoc="${escapeAttribute(html)}"></iframe>` +
      `<script>document.getElementById('f').addEventListener('load', () => { const w = document.getElementById('f').contentWindow; w.eval(${JSON.stringify(CHECK)}); document.body.setAttribute('data-layout', w.document.body.getAttribute('data-layout')); });</script></body></html>`,
  );
  const dom = execFileSync(CHROMIUM as string, ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', `--user-data-dir=${join(dir, 'profile')}`, '--window-size=1400,4000', '--dump-dom', pathToFileURL(page).href], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 60_000, maxBuffer: 256 << 20 });
  const found = / data-layout="([^"]*)"/.exec(dom);
  if (found === null) throw new Error('the layout check did not run in Chromium');
  return JSON.parse(found[1].replace(/&quot;/g, '"').replace(/&amp;/g, '&'));
}

afterAll(cleanTempDirs);

describe.skipIf(CHROMIUM === undefined)('the report laid out by Chromium', () => {
  let html: string;
  beforeAll(async () => {
    // Two IMF vintages (the second revises every seventh figure) and World Bank figures: every chart drawn.
    const dir = tempDir();
    const w = join(dir, 'w');
    const april = join(dir, 'imf-2025-04.csv');
    writeFileSync(april, revisedVintage(readFileSync(IMF, 'utf8'), '2025-04-22'));
    // And the three WEO vintages the project ships: forecasts later published as actuals, for the accuracy panel.
    const weo = join(dir, 'weo.csv');
    const weoFiles = ['WEOOct2019all.xls', 'WEOApr2024all.xls', 'WEOOct2024all.xls'].flatMap((f) => ['--file', join(ROOT, 'data', 'weo', f)]);
    expect((await cli(['extract', 'weo', ...weoFiles, '--out', weo])).code).toBe(0);
    for (const args of [[IMF, '--source', 'imf'], [april, '--source', 'imf', '--append'], [WIKIPEDIA, '--source', 'world_bank', '--append'], [weo, '--append']]) {
      const r = await cli(['run', ...args, '--out', w]);
      expect(r.code, r.stderr).toBe(0);
    }
    const file = join(dir, 'report.html');
    expect((await cli(['report', '--warehouse', w, '--out', file])).code).toBe(0);
    html = readFileSync(file, 'utf8');
    expect(html.match(/<svg/g)).toHaveLength(14);
    expect(html).toContain('How good the forecasts were');
  }, 120_000);

  it.each([390, 1280])('at %i px: no text under 11 px, no label over another, nothing wider than the window', (width) => {
    expect(layout(html, width)).toEqual({ width, problems: [] });
  }, 90_000);

  it('the check finds what it looks for: small text, overlapping labels, a page too wide, a chart too wide, a value past its frame', () => {
    const pastFrame = '<div style="overflow-x:auto"><svg width="900" height="40"><g class="mark-group role-frame root"><g><path class="background" d="M0,0h100v30h-100Z"></path><g class="mark-text role-mark"><text x="90" y="20" font-size="12">28,362.35</text></g></g></g></svg></div>';
    const bad = `<!doctype html><body><p style="font-size:9px">tiny</p><div style="width:2000px">wide</div><svg width="200" height="50"><text x="10" y="20" font-size="12">first label</text><text x="30" y="22" font-size="12">second label</text></svg>${pastFrame}</body>`;
    const found = layout(bad, 390).problems;
    expect(found).toContain('text under 11 px (9 px): tiny');
    expect(found).toContain('labels overlap: "first label" and "second label"');
    expect(found.some((p) => p.startsWith('the page is wider than the window'))).toBe(true);
    expect(found.some((p) => p.startsWith('a chart wider than the window'))).toBe(true);
    expect(found).toContain('a value label past its chart\'s frame: "28,362.35" in ""');
  }, 90_000);
});

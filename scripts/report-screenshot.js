#!/usr/bin/env node
// Looks at a report as a person would: headless Chromium (Debian's `chromium` package) takes a
// screenshot of it, 1280 px wide (a desktop) or as wide as --width says (390: a phone).
// Usage: npm run report:screenshot -- [REPORT.html] [OUT.png] [--width 390]
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const args = process.argv.slice(2);
const at = args.indexOf('--width');
const width = at >= 0 ? Number(args.splice(at, 2)[1]) : 1280;
if (!(width >= 200 && width <= 4000)) {
  console.error('report-screenshot: --width must be a number of pixels from 200 to 4000');
  process.exit(2);
}
const report = resolve(args[0] ?? 'warehouse/report.html');
const png = resolve(args[1] ?? report.replace(/\.html?$/, '') + (width === 1280 ? '' : `-${width}`) + '.png');
if (!existsSync(report)) {
  console.error(`report-screenshot: ${report} does not exist; write it first with \`gdpmr report\``);
  process.exit(2);
}
const chromium = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find(existsSync);
if (chromium === undefined) {
  console.error('report-screenshot: needs Chromium: apt-get install -y chromium');
  process.exit(2);
}
const profile = mkdtempSync(join(tmpdir(), 'gdpmr-chromium-'));
try {
  // No background networking: the page must render with no network at all.
  execFileSync(chromium, ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', `--user-data-dir=${profile}`, `--window-size=${width},4200`, '--hide-scrollbars', `--screenshot=${png}`, pathToFileURL(report).href], { stdio: ['ignore', 'ignore', 'inherit'] });
  console.log(`wrote ${png}`);
} finally {
  rmSync(profile, { recursive: true, force: true });
}

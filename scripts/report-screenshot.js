#!/usr/bin/env node
// Looks at a report as a person would: headless Chromium (Debian's `chromium` package) takes a
// 1280 px wide screenshot of it. Usage: npm run report:screenshot -- [REPORT.html] [OUT.png]
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const report = resolve(process.argv[2] ?? 'warehouse/report.html');
const png = resolve(process.argv[3] ?? report.replace(/\.html?$/, '') + '.png');
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
  execFileSync(chromium, ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', `--user-data-dir=${profile}`, '--window-size=1280,4200', '--hide-scrollbars', `--screenshot=${png}`, pathToFileURL(report).href], { stdio: ['ignore', 'ignore', 'inherit'] });
  console.log(`wrote ${png}`);
} finally {
  rmSync(profile, { recursive: true, force: true });
}

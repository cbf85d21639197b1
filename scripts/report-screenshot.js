#!/usr/bin/env node
// Looks at a report as a person would: headless Chromium (Debian's `chromium` package) takes a
// screenshot of it, 1280 px wide (a desktop) or as wide as --width says (390: a phone).
// Usage: npm run report:screenshot -- [REPORT.html] [OUT.png] [--width 390] [--height PX]
// Without --height the whole page is shot: its height is measured first (Chromium shoots its
// window, not the page).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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
const hat = args.indexOf('--height');
const asked = hat >= 0 ? Number(args.splice(hat, 2)[1]) : undefined;
if (asked !== undefined && !(Number.isInteger(asked) && asked >= 200 && asked <= 30000)) {
  console.error('report-screenshot: --height must be a whole number of pixels from 200 to 30000');
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
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', `--user-data-dir=${profile}`];

/** The report's height laid out `width` px wide: in an iframe, whose page writes it into the DOM. */
function pageHeight() {
  const page = join(profile, 'measure.html');
  const html = readFileSync(report, 'utf8').replace(/&/g, '&amp;').replace(/"/g, '&quot;');
  writeFileSync(page, `<!doctype html><body style="margin:0"><iframe id="f" style="width:${width}px;height:100px;border:0" srcdoc="${html}"></iframe><script>document.getElementById('f').addEventListener('load', () => document.body.setAttribute('data-height', document.getElementById('f').contentDocument.documentElement.scrollHeight));</script></body>`);
  const dom = spawnSync(chromium, [...FLAGS, '--window-size=1400,1000', '--dump-dom', pathToFileURL(page).href], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], maxBuffer: 256 << 20 });
  const found = / data-height="(\d+)"/.exec(dom.stdout ?? '');
  return found === null ? 8000 : Math.min(30000, Number(found[1]) + 40);
}

try {
  const height = asked ?? pageHeight();
  const shot = spawnSync(chromium, [...FLAGS, `--window-size=${width},${height}`, '--hide-scrollbars', `--screenshot=${png}`, pathToFileURL(report).href], { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
  // Chromium logs to stderr what a container lacks (no D-Bus, no GPU) and what it wrote: noise
  // here. Its other lines are shown, and a failure says so.
  const noise = /dbus|Failed to connect to the bus|bytes written to file|GPU|gpu_|viz_main|sandbox|chromium: \d+: \[: /i;
  const said = shot.stderr.split('\n').filter((l) => l.trim() !== '' && !noise.test(l));
  if (said.length > 0) console.error(said.join('\n'));
  if (shot.status !== 0 || !existsSync(png)) {
    console.error(`report-screenshot: chromium failed (${shot.error?.message ?? `exit ${shot.status}`})`);
    process.exitCode = 1;
  } else console.log(`wrote ${png}`);
} finally {
  rmSync(profile, { recursive: true, force: true });
}

// `npm run bench:parquet`: the Parquet writers the export could use, on the same rows (1 M rows
// shaped as the export's: strings, INT32 year, DOUBLE GDP, INT64 line, BOOLEAN, DATE), each in a
// process of its own: time, peak RSS, file size, and the install size. The candidates other than
// the one the project ships are installed on demand into the git-ignored bench/.parquet/, so
// that measuring them adds nothing to the project's dependencies. One bench/results.ndjson line
// per writer; RESULTS.md's tables are made from them.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { text } from '../src/command-line.js';
import { benchOptions, machine, publishTables, record, ROOT } from './common.js';

const PREFIX = join(ROOT, 'bench', '.parquet');
const OUT = join(ROOT, 'bench', 'data', 'parquet-candidates');
const o = benchOptions({
  name: 'npm run bench:parquet --',
  description: 'Parquet writers on rows of the export\'s shape.',
  positionals: [{ name: 'rows', placeholder: 'ROWS', help: 'how many rows (default 1000000)', kind: text('ROWS', (v) => (/^[1-9][0-9]*$/.test(v) && Number(v) <= 100_000_000 ? undefined : `ROWS must be a whole number from 1 to 100000000, got ${JSON.stringify(v)}`)) }],
  flags: {},
});
const ROWS = Number(o.positionals.rows ?? 1_000_000);

/** Each candidate as a small ESM program: makes ROWS rows, writes them, prints nothing. */
const DATA = `
const N = ${ROWS};
const country = [], region = [], year = new Int32Array(N), gdp = new Float64Array(N), published = [], line = new BigInt64Array(N), current = [], run = [];
for (let i = 0; i < N; i++) { country.push('Territory ' + (i % 140000)); region.push('Asia'); year[i] = 1980 + (i % 50); gdp[i] = (i * 7919) % 100000 / 7; published.push(i % 5 === 0 ? null : 19000 + (i % 4) * 180); line[i] = BigInt(i + 2); current.push(i % 3 === 0); run.push('20261201T120000Z-abcd'); }
`;
const CANDIDATES: Record<string, { prefix: string; install: string[]; program: string }> = {
  'hyparquet-writer': {
    prefix: '',
    install: [],
    program: `${DATA}
import { fileWriter, ParquetWriter } from '${join(ROOT, 'node_modules', 'hyparquet-writer', 'src', 'node.js')}';
const schema = [{ name: 'root', num_children: 8 }, { name: 'country', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'REQUIRED' }, { name: 'region', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'REQUIRED' }, { name: 'year', type: 'INT32', repetition_type: 'REQUIRED' }, { name: 'gdp', type: 'DOUBLE', repetition_type: 'REQUIRED' }, { name: 'published', type: 'INT32', converted_type: 'DATE', repetition_type: 'OPTIONAL' }, { name: 'line', type: 'INT64', repetition_type: 'REQUIRED' }, { name: 'is_current', type: 'BOOLEAN', repetition_type: 'REQUIRED' }, { name: 'run_id', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'REQUIRED' }];
const w = new ParquetWriter({ writer: fileWriter(process.argv[2]), schema });
const B = 100000;
for (let s = 0; s < N; s += B) w.write({ rowGroupSize: B, columnData: [{ name: 'country', data: country.slice(s, s + B) }, { name: 'region', data: region.slice(s, s + B) }, { name: 'year', data: year.subarray(s, s + B) }, { name: 'gdp', data: gdp.subarray(s, s + B) }, { name: 'published', data: published.slice(s, s + B) }, { name: 'line', data: line.subarray(s, s + B) }, { name: 'is_current', data: current.slice(s, s + B) }, { name: 'run_id', data: run.slice(s, s + B) }] });
w.finish();`,
  },
  'parquet-wasm + apache-arrow': {
    prefix: 'parquet-wasm',
    install: ['parquet-wasm@0.7.1', 'apache-arrow@21.1.0'],
    program: `${DATA}
import { createRequire } from 'node:module';
import { writeFileSync } from 'node:fs';
const require = createRequire('${join(PREFIX, 'parquet-wasm', 'package.json')}');
const arrow = require('apache-arrow');
// Its node build is CommonJS inside a "type": "module" package (Node 20 refuses it): the ESM
// build, given its wasm bytes, is what works.
const pqPath = require.resolve('parquet-wasm/esm');
const pq = await import(pqPath);
await pq.default({ module_or_path: (await import('node:fs')).readFileSync(pqPath.replace(/parquet_wasm\.js$/, 'parquet_wasm_bg.wasm')) });
const table = arrow.tableFromArrays({ country, region, year, gdp, published: arrow.vectorFromArray(published.map((d) => (d === null ? null : new Date(d * 86400000))), new arrow.DateDay()), line, is_current: current, run_id: run });
const props = new pq.WriterPropertiesBuilder().setCompression(pq.Compression.SNAPPY).setMaxRowGroupSize(100000).build();
writeFileSync(process.argv[2], pq.writeParquet(pq.Table.fromIPCStream(arrow.tableToIPC(table, 'stream')), props));`,
  },
  '@dsnp/parquetjs': {
    prefix: 'dsnp-parquetjs',
    install: ['@dsnp/parquetjs@1.9.3'],
    program: `${DATA}
import { createRequire } from 'node:module';
const require = createRequire('${join(PREFIX, 'dsnp-parquetjs', 'package.json')}');
const { ParquetSchema, ParquetWriter } = require('@dsnp/parquetjs');
const schema = new ParquetSchema({ country: { type: 'UTF8' }, region: { type: 'UTF8' }, year: { type: 'INT32' }, gdp: { type: 'DOUBLE' }, published: { type: 'DATE', optional: true }, line: { type: 'INT64' }, is_current: { type: 'BOOLEAN' }, run_id: { type: 'UTF8' } });
const w = await ParquetWriter.openFile(schema, process.argv[2], { compression: 'SNAPPY', rowGroupSize: 100000 });
for (let i = 0; i < N; i++) await w.appendRow({ country: country[i], region: region[i], year: year[i], gdp: gdp[i], published: published[i] === null ? undefined : new Date(published[i] * 86400000), line: line[i], is_current: current[i], run_id: run[i] });
await w.close();`,
  },
};

function duBytes(dir: string): number {
  if (!existsSync(dir)) return 0;
  let n = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) n += e.isDirectory() ? duBytes(join(dir, e.name)) : statSync(join(dir, e.name)).size;
  return n;
}

mkdirSync(OUT, { recursive: true });
const lines = [`\n## ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC — \`npm run bench:parquet -- ${ROWS}\``, '', `Machine: ${machine()}. ${ROWS} rows of the export's shape, snappy, row groups of 100,000.`, '', '| writer | s | peak RSS MB | file MB | installed MB (with dependencies) |', '|---|---|---|---|---|'];
for (const [name, c] of Object.entries(CANDIDATES)) {
  let installed = duBytes(join(ROOT, 'node_modules', 'hyparquet-writer')) + duBytes(join(ROOT, 'node_modules', 'hyparquet'));
  if (c.install.length > 0) {
    // Each candidate in a folder of its own: npm prunes what a later install does not name.
    const prefix = join(PREFIX, c.prefix);
    try {
      mkdirSync(prefix, { recursive: true });
      execFileSync('npm', ['install', '--prefix', prefix, '--no-save', '--no-audit', '--no-fund', ...c.install], { stdio: ['ignore', 'ignore', 'inherit'] });
    } catch {
      lines.push(`| ${name} | — | — | — | install failed |`);
      continue;
    }
    installed = duBytes(join(prefix, 'node_modules'));
  }
  const program = join(OUT, `${name.replace(/[^a-z]/gi, '_')}.mjs`);
  const file = join(OUT, `${name.replace(/[^a-z]/gi, '_')}.parquet`);
  writeFileSync(program, c.program);
  rmSync(file, { force: true });
  const run = spawnSync('/usr/bin/time', ['-f', 'T %e %M', process.execPath, '--max-old-space-size=8192', program, file], { encoding: 'utf8' });
  const m = /T ([\d.]+) (\d+)/.exec(run.stderr);
  if (run.status !== 0 || m === null) {
    lines.push(`| ${name} | failed: ${run.stderr.trim().split('\n').slice(-2, -1)[0] ?? ''} | | | ${(installed / 1024 ** 2).toFixed(1)} |`);
    continue;
  }
  lines.push(`| ${name} | ${Number(m[1]).toFixed(1)} | ${(Number(m[2]) / 1024).toFixed(0)} | ${(statSync(file).size / 1024 ** 2).toFixed(1)} | ${(installed / 1024 ** 2).toFixed(1)} |`);
  await record({ scenario: `parquet-${ROWS}-rows`, tool: name, ms: Math.round(Number(m[1]) * 1000), peak_rss_mb: Math.round(Number(m[2]) / 1024), file_mb: Number((statSync(file).size / 1024 ** 2).toFixed(1)), installed_mb: Number((installed / 1024 ** 2).toFixed(1)) });
}
publishTables();
process.stdout.write(lines.join('\n') + '\n');

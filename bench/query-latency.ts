// `npm run bench:query`: how long `gdpmr query top5` takes from the shell against a bare
// `node -e 0`, measured in one alternating loop (the machine's speed drifts; a ratio measured
// side by side does not). The target (issue 21): the query within 1.6x node's own start.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { revisedVintage } from '../src/generate/revision.js';
import { benchArgs, CLI, commit, machine, median, option, publishTables, record, ROOT } from './common.js';

const time = (args: string[]): number => {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  if (r.status !== 0) throw new Error(`${args.join(' ')} failed: ${r.stderr}`);
  return performance.now() - t0;
};

const rounds = Number(option(benchArgs('npm run bench:query -- [--rounds N]', { values: ['--rounds'] }), '--rounds', '31'));
const dir = mkdtempSync(join(tmpdir(), 'gdpmr-query-bench-'));
try {
  const warehouse = join(dir, 'w');
  const imf = join(ROOT, 'data', 'imf_weo_2024-10_ngdpd.csv');
  time([CLI, 'run', imf, '--out', warehouse, '--source', 'imf']);
  // A second vintage that revises every seventh figure: a realistic revisions question.
  const april = join(dir, 'imf-2025-04.csv');
  writeFileSync(april, revisedVintage(readFileSync(imf, 'utf8'), '2025-04-22'));
  time([CLI, 'run', april, '--out', warehouse, '--source', 'imf', '--append']);
  const node: number[] = [];
  const query: number[] = [];
  const queryJson: number[] = [];
  const revisions: number[] = [];
  for (let i = 0; i < rounds; i++) {
    node.push(time(['-e', '0']));
    query.push(time([CLI, 'query', 'top5', '--warehouse', warehouse]));
    queryJson.push(time([CLI, 'query', 'over', '--as-of', '2024-12-31', '--warehouse', warehouse, '--json']));
    revisions.push(time([CLI, 'query', 'revisions', '--from', '2024-12-31', '--to', '2025-06-30', '--warehouse', warehouse, '--json']));
  }
  const n = median(node);
  const q = median(query);
  const qj = median(queryJson);
  const rv = median(revisions);
  await record({ scenario: 'query-latency', tool: 'gdpmr query top5', ms: Math.round(q), node_ms: Math.round(n), ratio: Number((q / n).toFixed(2)), over_as_of_ms: Math.round(qj), revisions_ms: Math.round(rv), rounds });
  const lines = [
    '',
    `## ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC — \`npm run bench:query -- --rounds ${rounds}\` (query latency)`,
    '',
    `Machine: ${machine()}. Commit ${await commit()}. Warehouse: the bundled IMF CSV (8,953 rows) and a second vintage revising every seventh figure. Medians of ${rounds} alternating rounds.`,
    '',
    '| command | median ms | × `node -e 0` |',
    '|---|---|---|',
    `| \`node -e 0\` | ${n.toFixed(0)} | 1.00 |`,
    `| \`gdpmr query top5\` | ${q.toFixed(0)} | ${(q / n).toFixed(2)} |`,
    `| \`gdpmr query over --as-of 2024-12-31 --json\` | ${qj.toFixed(0)} | ${(qj / n).toFixed(2)} |`,
    `| \`gdpmr query revisions --from 2024-12-31 --to 2025-06-30 --json\` (two IMF vintages, every 7th figure revised) | ${rv.toFixed(0)} | ${(rv / n).toFixed(2)} |`,
    '',
  ];
  publishTables();
  process.stdout.write(lines.join('\n'));
} finally {
  rmSync(dir, { recursive: true, force: true });
}

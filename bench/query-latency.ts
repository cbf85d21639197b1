// `npm run bench:query`: how long `gdpmr query top5` takes from the shell against a bare
// `node -e 0`, measured in one alternating loop (the machine's speed drifts; a ratio measured
// side by side does not). The target (issue 21): the query within 1.6x node's own start.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI, commit, machine, median, option, publishTables, record, ROOT } from './common.js';

const time = (args: string[]): number => {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  if (r.status !== 0) throw new Error(`${args.join(' ')} failed: ${r.stderr}`);
  return performance.now() - t0;
};

const rounds = Number(option(process.argv.slice(2), '--rounds', '31'));
const dir = mkdtempSync(join(tmpdir(), 'gdpmr-query-bench-'));
try {
  const warehouse = join(dir, 'w');
  time([CLI, 'run', join(ROOT, 'data', 'imf_weo_2024-10_ngdpd.csv'), '--out', warehouse, '--source', 'imf']);
  const node: number[] = [];
  const query: number[] = [];
  const queryJson: number[] = [];
  for (let i = 0; i < rounds; i++) {
    node.push(time(['-e', '0']));
    query.push(time([CLI, 'query', 'top5', '--warehouse', warehouse]));
    queryJson.push(time([CLI, 'query', 'over', '--as-of', '2024-12-31', '--warehouse', warehouse, '--json']));
  }
  const n = median(node);
  const q = median(query);
  const qj = median(queryJson);
  await record({ scenario: 'query-latency', tool: 'gdpmr query top5', ms: Math.round(q), node_ms: Math.round(n), ratio: Number((q / n).toFixed(2)), over_as_of_ms: Math.round(qj), rounds });
  const lines = [
    '',
    `## ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC — \`npm run bench:query -- --rounds ${rounds}\` (query latency)`,
    '',
    `Machine: ${machine()}. Commit ${await commit()}. Warehouse: the bundled IMF CSV (8,953 rows). Medians of ${rounds} alternating rounds.`,
    '',
    '| command | median ms | × `node -e 0` |',
    '|---|---|---|',
    `| \`node -e 0\` | ${n.toFixed(0)} | 1.00 |`,
    `| \`gdpmr query top5\` | ${q.toFixed(0)} | ${(q / n).toFixed(2)} |`,
    `| \`gdpmr query over --as-of 2024-12-31 --json\` | ${qj.toFixed(0)} | ${(qj / n).toFixed(2)} |`,
    '',
  ];
  publishTables();
  process.stdout.write(lines.join('\n'));
} finally {
  rmSync(dir, { recursive: true, force: true });
}

// `gdpmr rollback`: puts back a warehouse a run replaced. Every publish keeps the generations it
// replaced (the last five, and any it cannot verify: store/kept.ts); rolling back swaps one in and
// keeps the replaced one first, so a second rollback undoes the first.
import { hostname } from 'node:os';
import { defineCommand, flag, positiveInt } from '../command-line.js';
import { FLAGS } from '../config.js';
import { errorText, GdpmrError } from '../errors.js';
import { diskFull } from '../fs.js';
import { acquireLock, releaseLock } from '../engine/lock.js';
import { checkOutDirectory, rollbackGeneration } from '../engine/publish.js';
import { keptGenerations } from '../store/kept.js';
import { currentGeneration, WarehousePaths } from '../store/layout.js';
import { checkGeneration } from '../store/verify.js';
import { asInvoked, type Output } from '../output.js';

export const COMMAND = defineCommand({
  name: 'gdpmr rollback',
  description: `Puts back a warehouse a run replaced or appended to. Each publish keeps the generation it
replaced (the last five, and any it cannot verify, are kept in DIR/.gen/ and listed in
DIR/.kept.json); rollback swaps one in with one rename and keeps the one it replaced first, so a
second rollback undoes the first. A kept generation that does not verify is refused (exit 1).`,
  flags: {
    warehouse: { ...FLAGS.warehouse, help: 'the warehouse to roll back' },
    to: { kind: positiveInt('a whole number of at least 1 (the kept generation, as --list numbers them)', 1_000_000), default: 1, help: 'which kept generation to restore: 1 is the one replaced last' },
    list: { kind: flag, help: 'list the published and the kept generations (loads, rows, date, state); change nothing' },
  },
});

export async function rollbackCommand(argv: string[], out: Output): Promise<number> {
  const o = COMMAND.parse(argv);
  if (o === null) {
    out.stdout(COMMAND.help());
    return 0;
  }
  const paths = new WarehousePaths(o.warehouse);
  checkOutDirectory(paths, '--warehouse');
  if (currentGeneration(paths) === null) {
    throw new GdpmrError('NO_WAREHOUSE', `--warehouse must be a directory built by gdpmr run, got ${paths.root} (no published warehouse)`);
  }
  const describe = (generation: string): { text: string; problem: string | null } => {
    const { manifest: m, problems } = checkGeneration(paths, generation, o.warehouse);
    const problem = problems.length === 0 ? null : `${problems[0].file}: ${problems[0].message}`;
    if (m === null) return { text: 'unreadable by this gdpmr', problem };
    return { text: `${m.loads.length} load${m.loads.length === 1 ? '' : 's'}, ${m.counts.loaded} rows (last load ${m.loads[m.loads.length - 1]?.input.path ?? 'none'})`, problem };
  };
  if (o.list) {
    const current = currentGeneration(paths) as string;
    const lines = [`published: ${current}: ${describe(current).text}`];
    const kept = keptGenerations(paths);
    if (kept.length === 0) lines.push('kept: none (a run keeps the generations it replaces)');
    kept.forEach((k, i) => {
      const d = describe(k.generation);
      lines.push(`${i + 1}: ${k.generation}${k.replaced_at === '' ? '' : `, replaced ${k.replaced_at}`}: ${d.text}${d.problem === null ? '' : `; cannot be restored: ${d.problem}`}`);
    });
    out.stdout(lines.join('\n'));
    return 0;
  }
  const id = `rollback-${process.pid}`;
  acquireLock(paths, { pid: process.pid, host: hostname(), run_id: id, started_at: new Date().toISOString(), input: '(rollback)' }, (m) => out.stderr(`gdpmr: ${m}`));
  try {
    let swapped: { restored: string; replaced: string };
    const before = currentGeneration(paths);
    try {
      swapped = rollbackGeneration(paths, o.to);
    } catch (error) {
      if (error instanceof GdpmrError) throw error;
      const after = currentGeneration(paths) === before ? 'the published warehouse is unchanged' : `${paths.root} now publishes ${currentGeneration(paths)}`;
      throw new GdpmrError('RUN_FAILED', `${diskFull(paths.root, error)}rollback failed: ${errorText(error, 300)}; ${after}`);
    }
    const { restored, replaced } = swapped;
    out.stdout(asInvoked(`restored generation ${restored} in ${paths.root}: ${describe(restored).text}\nkept the replaced generation ${replaced} (${describe(replaced).text}): \`gdpmr rollback --warehouse ${o.warehouse}\` brings it back`));
  } finally {
    releaseLock(paths, id);
  }
  return 0;
}

// `gdpmr rollback`: puts back the warehouse the last run replaced. Every publish keeps the
// generation it replaced (.previous); rolling back swaps the two, so a second rollback undoes it.
import { hostname } from 'node:os';
import { defineCommand } from '../command-line.js';
import { FLAGS } from '../config.js';
import { GdpmrError } from '../errors.js';
import { acquireLock, releaseLock, rollbackGeneration } from '../engine/publish.js';
import { readManifest } from '../store/manifest.js';
import { currentGeneration, WarehousePaths } from '../store/layout.js';
import type { Output } from '../output.js';

export const COMMAND = defineCommand({
  name: 'gdpmr rollback',
  synopsis: '[--warehouse DIR]',
  description: `Puts back the warehouse the last run replaced or appended to. Each run keeps the generation
it replaced (DIR/.previous -> DIR/.gen/<run_id>); rollback swaps it in with one rename and keeps
the one it replaced in its place, so a second rollback undoes the first.`,
  flags: { warehouse: { ...FLAGS.warehouse, help: 'the warehouse to roll back' } },
});


export async function rollbackCommand(argv: string[], out: Output): Promise<number> {
  const o = COMMAND.parse(argv);
  if (o === null) {
    out.stdout(COMMAND.help());
    return 0;
  }
  const paths = new WarehousePaths(o.warehouse);
  if (currentGeneration(paths) === null) {
    throw new GdpmrError('NO_WAREHOUSE', `--warehouse must be a directory built by gdpmr run, got ${paths.root} (no published warehouse)`);
  }
  const id = `rollback-${process.pid}`;
  acquireLock(paths, { pid: process.pid, host: hostname(), run_id: id, started_at: new Date().toISOString(), input: '(rollback)' }, (m) => out.stderr(`gdpmr: ${m}`));
  try {
    const { restored, replaced } = rollbackGeneration(paths);
    const describe = (generation: string): string => {
      try {
        const m = readManifest(paths.generation(generation).manifest);
        return `${m.loads.length} load${m.loads.length === 1 ? '' : 's'}, ${m.counts.loaded} rows (last load ${m.loads[m.loads.length - 1].input.path})`;
      } catch {
        return 'a warehouse of an earlier gdpmr';
      }
    };
    out.stdout(`restored generation ${restored} in ${paths.root}: ${describe(restored)}\nkept the replaced generation ${replaced} (${describe(replaced)}): \`gdpmr rollback --warehouse ${o.warehouse}\` brings it back`);
  } finally {
    releaseLock(paths, id);
  }
  return 0;
}

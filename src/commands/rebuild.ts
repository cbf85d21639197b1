// `gdpmr rebuild` (SPEC §12): a new warehouse from DIR's archive alone. Every load a refresh
// made is extracted again from its archived bytes (files copied out, fetches replayed) with the
// options its manifest entry records, and appended in DIR's order: the same rows as DIR.
import { readFileSync } from 'node:fs';
import { defineCommand, flag, path } from '../command-line.js';
import { FLAGS } from '../config.js';
import { DEFAULTS } from '../defaults.js';
import { GdpmrError, usage } from '../errors.js';
import type { Output } from '../output.js';
import { putArchive, readArchive, sha256Of } from '../refresh/archive.js';
import { currentGeneration, WarehousePaths } from '../store/layout.js';
import { requireSound } from '../store/verify.js';
import { kindOf } from '../fs.js';
import { loadDump } from './refresh.js';
import { extractFromArchive, refreshRecordOf, type RefreshRecord } from './refresh-loads.js';

export const COMMAND = defineCommand({
  name: 'gdpmr rebuild',
  description: `Builds a new warehouse DIR2 from DIR's archive alone: each load a refresh made is extracted
again from its archived files and responses, with the options its manifest entry records, and
appended in DIR's order; DIR2 has the same rows as DIR. Every archive file's sha256 is checked
first: one that no longer matches its name is exit 1 naming it, nothing written. A load that
names no archive file (a plain \`gdpmr run\`) is named and skipped: exit 1 unless --skip-unarchived.`,
  flags: {
    warehouse: { ...FLAGS.warehouse, help: 'the warehouse whose archive to rebuild from' },
    out: { kind: path('DIR2'), required: 'gdpmr rebuild needs --out DIR2, the new warehouse', help: 'the new warehouse (a directory that holds none)' },
    skipUnarchived: { kind: flag, help: 'exit 0 though loads no refresh made were left out (they are named on\nstderr either way)' },
  },
});

export async function rebuildCommand(argv: string[], out: Output): Promise<number> {
  const o = COMMAND.parse(argv);
  if (o === null) {
    out.stdout(COMMAND.help());
    return 0;
  }
  const from = new WarehousePaths(o.warehouse);
  const to = new WarehousePaths(o.out);
  if (to.root === from.root) throw usage(`--out must be a new directory, not the warehouse itself (${from.root})`);
  if (currentGeneration(to) !== null || (kindOf(to.root) !== null && kindOf(to.root) !== 'directory')) throw usage(`--out must be a directory that holds no warehouse, got ${to.root}`);
  const { manifest } = requireSound(o.warehouse);
  const records: RefreshRecord[] = [];
  const unarchived: string[] = [];
  manifest.loads.forEach((load, i) => {
    const r = refreshRecordOf(load);
    if (r === undefined) unarchived.push(`load ${i + 1} (${load.input.path}, run ${load.run_id})`);
    else records.push(r);
  });
  // Named and skipped either way (SPEC §12); without --skip-unarchived the rebuild is incomplete: exit 1.
  for (const u of unarchived) out.stderr(`gdpmr: skipping ${u}: it names no archive file (a plain \`gdpmr run\` of a file)`);
  if (records.length === 0) throw new GdpmrError('SOURCE_INVALID', `${from.root} holds no load a refresh made: there is nothing to rebuild from its archive; nothing was written`);
  // Every archived byte checked before anything is written.
  for (const r of records) for (const part of r.archive) readArchive(from.root, part.sha256);
  const mapSha = sha256Of(readFileSync(DEFAULTS.regionMap));
  const moved = records.find((r) => r.country_map_sha256 !== mapSha);
  if (moved !== undefined) {
    throw new GdpmrError('SOURCE_INVALID', `source ${moved.name} was loaded with another country map (sha256 ${moved.country_map_sha256.slice(0, 12)}…) than this gdpmr's ${DEFAULTS.regionMap}: a rebuild would not give the same rows; nothing was written`);
  }
  for (const [i, r] of records.entries()) {
    const extracted = await extractFromArchive(from.root, r);
    for (const part of r.archive) putArchive(to.root, readArchive(from.root, part.sha256));
    await loadDump(to, extracted, r, i > 0);
    out.stderr(`gdpmr: rebuilt load ${i + 1} of ${records.length}: ${r.name} (${r.kind})`);
  }
  out.stdout(`rebuilt ${records.length} load${records.length === 1 ? '' : 's'} of ${from.root} from its archive into ${to.root}${unarchived.length === 0 ? '' : `, without ${unarchived.length} unarchived load${unarchived.length === 1 ? '' : 's'}`}`);
  if (unarchived.length > 0 && !o.skipUnarchived) {
    out.stderr(`gdpmr: ${to.root} lacks ${unarchived.length} load${unarchived.length === 1 ? '' : 's'} of ${from.root} that no refresh made (--skip-unarchived accepts that)`);
    return 1;
  }
  return 0;
}

// `gdpmr generate`: a deterministic synthetic raw dump with real dumps' dirt (see src/generate).
import { closeSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { checkOutputFile, GenerateOptions, parseCommandLine, validate } from '../config.js';
import { fsReason } from '../store/files.js';
import { GdpmrError, usage } from '../errors.js';
import { DIRT, generateDump, parseSkew } from '../generate/dump.js';
import type { Output } from '../output.js';

export const GENERATE_HELP = `gdpmr generate --size SIZE --out FILE [--seed N] [--skew REGION=SHARE,...] [--dirt low|default|high]

Writes a synthetic raw GDP dump of about SIZE bytes, the same bytes for the same seed and options.
Territories: one per 7.5 KB of output, at least 2000, spread evenly over the five regions unless
--skew gives shares (e.g. Asia=0.6,Europe=0.1; the rest share what is left).
Dirt per record (--dirt default): ${Object.entries(DIRT).map(([k, v]) => `${k} ${(v * 100).toFixed(1)}%`).join(', ')}.
--dirt low: a fifth of the faults; --dirt high: quoted notes 10% (each with a line break and
doubled quotes), stray quotes 2%, footnotes 5%, twice the other faults.`;

export async function generateCommand(argv: string[], out: Output): Promise<number> {
  const values = parseCommandLine('gdpmr generate', argv, { size: { type: 'string' }, out: { type: 'string' }, seed: { type: 'string' }, skew: { type: 'string' }, dirt: { type: 'string' } }, []);
  if (values.help === true) {
    out.stdout(GENERATE_HELP);
    return 0;
  }
  if (values.size === undefined) throw usage('gdpmr generate needs --size SIZE, e.g. --size 256MB');
  const o = validate(GenerateOptions, values);
  const shares = o.skew === undefined ? undefined : parseSkew(o.skew);
  if (typeof shares === 'string') throw usage(shares);
  checkOutputFile('--out', o.out);
  const territories = Math.max(2000, Math.round(o.size / 7500));
  // Written under a temporary name beside FILE and renamed whole: a generate stopped half-way
  // leaves no half dump under FILE's name (nor destroys an earlier FILE).
  const partial = `${o.out}.partial-${process.pid}`;
  let fd: number;
  try {
    fd = openSync(partial, 'w');
  } catch (error) {
    throw new GdpmrError('OUTPUT_UNWRITABLE', `--out must be a file gdpmr can write, got ${o.out} (${fsReason(error)})`);
  }
  let bytes = 0;
  const t0 = performance.now();
  try {
    try {
      for (const piece of generateDump(o.size, { seed: o.seed, territories, shares, dirt: o.dirt })) {
        bytes += writeSync(fd, piece);
        if (out.stderrIsTTY) out.progress(`generate ${(bytes / 1024 / 1024).toFixed(0)} MB`);
      }
    } finally {
      closeSync(fd);
    }
    renameSync(partial, o.out);
  } catch (error) {
    rmSync(partial, { force: true });
    throw new GdpmrError('OUTPUT_UNWRITABLE', `--out must be a file gdpmr can write, got ${o.out} (${fsReason(error)}); nothing was written`);
  }
  if (out.stderrIsTTY) out.progress('');
  out.stdout(`wrote ${o.out}: ${bytes} bytes, ${territories} territories, seed ${o.seed}, ${o.dirt} dirt (${((performance.now() - t0) / 1000).toFixed(1)} s)`);
  return 0;
}

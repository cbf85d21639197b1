// `gdpmr generate`: a deterministic synthetic raw dump with real dumps' dirt (see src/generate).
import { closeSync, openSync, renameSync, rmSync } from 'node:fs';
import { checkOutputFile, GenerateOptions, parseCommandLine, validate } from '../config.js';
import { fsReason, removeOnSignal, writeFully, yieldToSignals } from '../store/files.js';
import { GdpmrError, usage } from '../errors.js';
import { DIRT, generateDump, parseSkew } from '../generate/dump.js';
import type { Output } from '../output.js';

export const GENERATE_HELP = `gdpmr generate --size SIZE --out FILE [--seed N] [--skew REGION=SHARE,...] [--dirt low|default|high]
gdpmr generate --weo --size SIZE --out FILE [--seed N] [--vintage "October 2024"] [--encoding utf-16le|utf-8|windows-1252]

Writes a synthetic raw GDP dump of about SIZE bytes, the same bytes for the same seed and options.
Territories: one per 7.5 KB of output, at least 2000, spread evenly over the five regions unless
--skew gives shares (e.g. Asia=0.6,Europe=0.1; the rest share what is left).
Dirt per record (--dirt default): ${Object.entries(DIRT).map(([k, v]) => `${k} ${(v * 100).toFixed(1)}%`).join(', ')}.
--dirt low: a fifth of the faults; --dirt high: quoted notes 10% (each with a line break and
doubled quotes), stray quotes 2%, footnotes 5%, twice the other faults.

--weo writes a WEO database file in the IMF's published layout instead (for \`gdpmr extract weo\`):
the WEO's column names, six subjects per country (NGDPD among them), years 1980-2029, n/a and --
where a figure is missing, a blank line and the vintage line; UTF-16 with a BOM by default, as the
IMF ships them since October 2020.`;

const WEO_ENCODINGS = ['utf-16le', 'utf-8', 'windows-1252'] as const;

export async function generateCommand(argv: string[], out: Output): Promise<number> {
  const values = parseCommandLine(
    'gdpmr generate',
    argv,
    { size: { type: 'string' }, out: { type: 'string' }, seed: { type: 'string' }, skew: { type: 'string' }, dirt: { type: 'string' }, weo: { type: 'boolean' }, vintage: { type: 'string' }, encoding: { type: 'string' } },
    [],
  );
  if (values.help === true) {
    out.stdout(GENERATE_HELP);
    return 0;
  }
  if (values.size === undefined) throw usage('gdpmr generate needs --size SIZE, e.g. --size 256MB');
  const { weo, vintage, encoding, ...dumpValues } = values;
  if (weo !== true && (vintage !== undefined || encoding !== undefined)) throw usage('--vintage and --encoding go with --weo');
  if (weo === true && (values.skew !== undefined || values.dirt !== undefined)) throw usage('--skew and --dirt are for a raw dump, not --weo');
  const o = validate(GenerateOptions, dumpValues);
  if (weo === true) return generateWeo(o, typeof vintage === 'string' ? vintage : 'October 2024', typeof encoding === 'string' ? encoding : 'utf-16le', out);
  const shares = o.skew === undefined ? undefined : parseSkew(o.skew);
  if (typeof shares === 'string') throw usage(shares);
  checkOutputFile('--out', o.out);
  const territories = Math.max(2000, Math.round(o.size / 7500));
  const t0 = performance.now();
  const bytes = await writeWhole(o.out, async (write) => {
    let done = 0;
    for (const piece of generateDump(o.size, { seed: o.seed, territories, shares, dirt: o.dirt })) {
      done += await write(Buffer.from(piece));
      if (out.stderrIsTTY) out.progress(`generate ${(done / 1024 / 1024).toFixed(0)} MB`);
    }
  });
  if (out.stderrIsTTY) out.progress('');
  out.stdout(`wrote ${o.out}: ${bytes} bytes, ${territories} territories, seed ${o.seed}, ${o.dirt} dirt (${((performance.now() - t0) / 1000).toFixed(1)} s)`);
  return 0;
}

async function generateWeo(o: { size: number; out: string; seed: number }, vintage: string, encoding: string, out: Output): Promise<number> {
  const { weoLines, encodeWeo } = await import('../generate/weo.js');
  const { vintageOf } = await import('../extract/weo.js');
  if (vintageOf(`International Monetary Fund, World Economic Outlook Database, ${vintage}`) === null) throw usage(`--vintage must be a month and year such as "October 2024", got ${JSON.stringify(vintage)}`);
  if (!(WEO_ENCODINGS as readonly string[]).includes(encoding)) throw usage(`--encoding must be one of ${WEO_ENCODINGS.join(', ')}, got ${JSON.stringify(encoding)}`);
  checkOutputFile('--out', o.out);
  // One country's rows are about the same size whatever the seed: measure one, then scale.
  const perCountry = encodeWeo(weoLines({ vintage, seed: o.seed, countries: 1 }), encoding as (typeof WEO_ENCODINGS)[number]).length;
  const countries = Math.max(1, Math.round(o.size / perCountry));
  let first = true;
  const bytes = await writeWhole(o.out, async (write) => {
    let batch: string[] = [];
    const flush = async (): Promise<void> => {
      const data = encodeWeo(batch, encoding as (typeof WEO_ENCODINGS)[number]);
      // encodeWeo starts every piece with a BOM for UTF-16: only the file's first keeps it.
      await write(first || encoding !== 'utf-16le' ? data : data.subarray(2));
      first = false;
      batch = [];
    };
    for (const line of weoLines({ vintage, seed: o.seed, countries })) {
      batch.push(line);
      if (batch.length === 2000) await flush();
    }
    if (batch.length > 0) await flush();
  });
  out.stdout(`wrote ${o.out}: a WEO ${vintage} database file, ${bytes} bytes, ${countries} countries, ${encoding}, seed ${o.seed}`);
  return 0;
}

/**
 * Writes FILE under a temporary name beside it, piece by piece, and renames it whole: a
 * generate stopped half-way (a full disk, a size limit, Ctrl-C) leaves no half file under
 * FILE's name, nor destroys an earlier FILE. Between pieces the event loop turns, so a Ctrl-C
 * is handled at once, not once the whole file is written. Returns the bytes written.
 */
async function writeWhole(path: string, fill: (write: (piece: Buffer) => Promise<number>) => Promise<void>): Promise<number> {
  const partial = `${path}.partial-${process.pid}`;
  removeOnSignal(partial, 'generate');
  let fd: number;
  try {
    fd = openSync(partial, 'w');
  } catch (error) {
    throw new GdpmrError('OUTPUT_UNWRITABLE', `--out must be a file gdpmr can write, got ${path} (${fsReason(error)})`);
  }
  let bytes = 0;
  try {
    try {
      await fill(async (piece) => {
        writeFully(fd, piece, partial);
        bytes += piece.length;
        await yieldToSignals();
        return bytes;
      });
    } finally {
      closeSync(fd);
    }
    renameSync(partial, path);
  } catch (error) {
    rmSync(partial, { force: true });
    throw new GdpmrError('OUTPUT_UNWRITABLE', `--out must be a file gdpmr can write, got ${path} (${fsReason(error)}); nothing was written`);
  }
  return bytes;
}


// `gdpmr generate`: a deterministic synthetic raw dump with real dumps' dirt (see src/generate).
import { closeSync, openSync, renameSync, rmSync } from 'node:fs';
import { byteSize, defineCommand, flag, oneOf, path, positiveInt, text } from '../command-line.js';
import { checkOutputFile, FLAGS } from '../config.js';
import { LIMITS } from '../defaults.js';
import { fsReason, removeOnSignal, writeFully, yieldToSignals } from '../fs.js';
import { GdpmrError, usage } from '../errors.js';
import { DIRT, generateDump, parseSkew } from '../generate/dump.js';
import type { Output } from '../output.js';

const WEO_ENCODINGS = ['utf-16le', 'utf-8', 'windows-1252'] as const;

export const COMMAND = defineCommand({
  name: 'gdpmr generate',
  description: `Writes a synthetic raw GDP dump of about SIZE bytes, the same bytes for the same seed and options.
Territories: one per 7.5 KB of output, at least 2000, spread evenly over the five regions unless
--skew gives shares (e.g. Asia=0.6,Europe=0.1; the rest share what is left).
Dirt per record (--dirt default): ${Object.entries(DIRT).map(([k, v]) => `${k} ${(v * 100).toFixed(1)}%`).join(', ')}.
--dirt low: a fifth of the faults; --dirt high: quoted notes 10% (each with a line break and
doubled quotes), stray quotes 2%, footnotes 5%, twice the other faults.

--weo writes a WEO database file in the IMF's published layout instead (for \`gdpmr extract weo\`):
the WEO's column names, six subjects per country (NGDPD among them), years 1980-2029, n/a and --
where a figure is missing, a blank line and the vintage line; UTF-16 with a BOM by default, as the
IMF ships them since October 2020.`,
  flags: {
    size: { kind: byteSize(LIMITS.generateBytes, 'more than a disk holds'), required: 'gdpmr generate needs --size SIZE, e.g. --size 256MB', help: 'about how many bytes to write' },
    out: { kind: path('FILE'), required: 'gdpmr generate needs --out FILE', help: 'the file to write (whole, or not at all)' },
    seed: { kind: positiveInt('a whole number, at least 1'), default: 1, help: 'the same seed, the same bytes' },
    skew: { kind: text('REGION=SHARE,...'), help: "regions' shares of the territories, e.g. Asia=0.6,Europe=0.1" },
    dirt: { kind: oneOf(['low', 'default', 'high']), help: 'how much dirt per record', defaultText: 'default' },
    weo: { kind: flag, help: 'a WEO database file instead of a raw dump' },
    vintage: { kind: text('"MONTH YEAR"'), help: 'the WEO vintage the file names (with --weo)', defaultText: 'October 2024' },
    encoding: { kind: oneOf(WEO_ENCODINGS), help: 'the WEO file\'s encoding (with --weo)', defaultText: 'utf-16le' },
    force: FLAGS.force,
  },
});

export async function generateCommand(argv: string[], out: Output): Promise<number> {
  const o = COMMAND.parse(argv);
  if (o === null) {
    out.stdout(COMMAND.help());
    return 0;
  }
  if (!o.weo && (o.vintage !== undefined || o.encoding !== undefined)) throw usage('--vintage and --encoding go with --weo');
  if (o.weo && (o.skew !== undefined || o.dirt !== undefined)) throw usage('--skew and --dirt are for a raw dump, not --weo');
  const dirt = o.dirt ?? 'default';
  if (o.weo) return generateWeo(o, o.vintage ?? 'October 2024', o.encoding ?? 'utf-16le', out);
  const shares = o.skew === undefined ? undefined : parseSkew(o.skew);
  if (typeof shares === 'string') throw usage(shares);
  checkOutputFile('--out', o.out, { force: o.force });
  const territories = Math.max(2000, Math.round(o.size / 7500));
  const t0 = performance.now();
  const bytes = await writeWhole(o.out, async (write) => {
    let done = 0;
    for (const piece of generateDump(o.size, { seed: o.seed, territories, shares, dirt })) {
      done = await write(Buffer.from(piece));
      if (out.stderrIsTTY) out.progress(`generate ${(done / 1024 / 1024).toFixed(0)} MB`);
    }
  });
  if (out.stderrIsTTY) out.progress('');
  out.stdout(`wrote ${o.out}: ${bytes} bytes, ${territories} territories, seed ${o.seed}, ${dirt} dirt (${((performance.now() - t0) / 1000).toFixed(1)} s)`);
  return 0;
}

async function generateWeo(o: { size: number; out: string; seed: number; force: boolean }, vintage: string, encoding: string, out: Output): Promise<number> {
  const { weoLines, encodeWeo } = await import('../generate/weo.js');
  const { vintageOf } = await import('../extract/weo.js');
  if (vintageOf(`International Monetary Fund, World Economic Outlook Database, ${vintage}`) === null) throw usage(`--vintage must be a month and year such as "October 2024", got ${JSON.stringify(vintage)}`);
  checkOutputFile('--out', o.out, { force: o.force });
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


// `gdpmr verify`: is the published warehouse whole, and if not, what is wrong and how to recover.
import { DEFAULTS, parseCommandLine, PathArg, validate } from '../config.js';
import { verifyFull } from '../store/verify.js';
import type { Output } from '../output.js';
import { z } from 'zod';

export const VERIFY_HELP = `gdpmr verify [--warehouse DIR] [--json]

Checks a published warehouse: its generation links, that every region database the manifest
counts exists, opens, passes SQLite's quick_check and holds the counted rows, that records =
loaded + rejected, and the rejects file's row count. Exit 0 when all hold; exit 1 with one line
per problem and how to recover.`;

const VerifyOptions = z.object({ warehouse: PathArg('--warehouse').default(DEFAULTS.warehouse), json: z.boolean().default(false) });

export async function verifyCommand(argv: string[], out: Output): Promise<number> {
  const values = parseCommandLine('gdpmr verify', argv, { warehouse: { type: 'string' }, json: { type: 'boolean' } }, []);
  if (values.help === true) {
    out.stdout(VERIFY_HELP);
    return 0;
  }
  const o = validate(VerifyOptions, values);
  const v = await verifyFull(o.warehouse);
  const ok = v.problems.length === 0;
  if (o.json) {
    out.stdout(JSON.stringify({ query: 'verify', warehouse: v.warehouse, generation: v.generation, ok, counts: v.manifest?.counts ?? null, problems: v.problems }));
  } else if (ok) {
    const c = v.manifest?.counts;
    out.stdout(`warehouse ${v.warehouse} is sound: generation ${v.generation}, ${c?.records} records = ${c?.loaded} loaded + ${c?.rejected} rejected, ${v.manifest?.loads.length} load(s)`);
  } else {
    out.stderr(`gdpmr: warehouse ${v.warehouse} has ${v.problems.length} problem${v.problems.length > 1 ? 's' : ''}:`);
    for (const p of v.problems) out.stderr(`  ${p.check}: ${p.file}: ${p.message}; to recover: ${p.recover}`);
  }
  return ok ? 0 : 1;
}

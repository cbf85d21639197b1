// `gdpmr verify`: is the published warehouse whole, and if not, what is wrong and how to recover.
import { defineCommand } from '../command-line.js';
import { FLAGS } from '../config.js';
import { verifyFull } from '../store/verify.js';
import type { Output } from '../output.js';

export const COMMAND = defineCommand({
  name: 'gdpmr verify',
  description: `Checks a published warehouse: its generation links, that every region database the manifest
counts exists, opens, passes SQLite's quick_check and holds the counted rows, that records =
loaded + rejected, and the rejects file's row count. Exit 0 when all hold; exit 1 with one line
per problem and how to recover.`,
  flags: { warehouse: { ...FLAGS.warehouse, help: 'the warehouse to check' }, json: { ...FLAGS.json, help: 'the findings as JSON on stdout' } },
});


export async function verifyCommand(argv: string[], out: Output): Promise<number> {
  const o = COMMAND.parse(argv);
  if (o === null) {
    out.stdout(COMMAND.help());
    return 0;
  }
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

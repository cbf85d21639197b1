// argv → command. The only module that prints or decides an exit code. A command's modules
// load only when it runs: `gdpmr query` must not pay for the pool, the charts or BullMQ.
import { errorText, GdpmrError, quote } from './errors.js';
import { processOutput, type Output } from './output.js';
import { version } from './version.js';

type Command = (argv: string[], out: Output) => Promise<number>;
/** A command's definitions (command-line.ts), for the overview: only their usage lines are read. */
type Definitions = () => Promise<ReadonlyArray<{ usage: string }>>;

const one = (load: () => Promise<{ COMMAND: { usage: string } }>): Definitions => async () => [(await load()).COMMAND];

/**
 * Every command: how to run it and where its definitions are. The overview (`gdpmr --help`) is
 * made from the definitions, the same ones each command's own page and parser are made from.
 */
const COMMANDS: Record<string, { load: () => Promise<Command>; definitions: Definitions }> = {
  extract: {
    load: async () => (await import('./commands/extract.js')).extractCommand,
    definitions: async () => [...(await import('./commands/extract.js')).DEFINITIONS, (await import('./commands/extract-weo.js')).COMMAND, (await import('./commands/extract-worldbank.js')).COMMAND],
  },
  run: { load: async () => (await import('./commands/run.js')).runCommand, definitions: one(() => import('./commands/run.js')) },
  query: { load: async () => (await import('./commands/query.js')).queryCommand, definitions: async () => (await import('./commands/query.js')).DEFINITIONS },
  refresh: { load: async () => (await import('./commands/refresh.js')).refreshCommand, definitions: one(() => import('./commands/refresh.js')) },
  status: { load: async () => (await import('./commands/status.js')).statusCommand, definitions: one(() => import('./commands/status.js')) },
  rebuild: { load: async () => (await import('./commands/rebuild.js')).rebuildCommand, definitions: one(() => import('./commands/rebuild.js')) },
  rollback: { load: async () => (await import('./commands/rollback.js')).rollbackCommand, definitions: one(() => import('./commands/rollback.js')) },
  verify: { load: async () => (await import('./commands/verify.js')).verifyCommand, definitions: one(() => import('./commands/verify.js')) },
  sql: { load: async () => (await import('./commands/sql.js')).sqlCommand, definitions: one(() => import('./commands/sql.js')) },
  report: { load: async () => (await import('./commands/report.js')).reportCommand, definitions: one(() => import('./commands/report.js')) },
  export: { load: async () => (await import('./commands/export.js')).exportCommand, definitions: one(() => import('./commands/export.js')) },
  worker: { load: async () => (await import('./commands/worker.js')).workerCommand, definitions: one(() => import('./commands/worker.js')) },
  bench: { load: async () => (await import('./commands/bench.js')).benchCommand, definitions: one(() => import('./commands/bench.js')) },
  generate: { load: async () => (await import('./commands/generate.js')).generateCommand, definitions: one(() => import('./commands/generate.js')) },
};

/** `gdpmr --help`: every command's usage line, from its definition; the modules load one by one. */
async function overview(): Promise<string> {
  const { wrapUsage } = await import('./command-line.js');
  const lines: string[] = [];
  for (const entry of Object.values(COMMANDS)) for (const d of await entry.definitions()) lines.push(wrapUsage(`  ${d.usage}`));
  return `gdpmr — a local multiprocess MapReduce engine for nominal-GDP dumps

${lines.join('\n')}

Run \`gdpmr COMMAND --help\` for a command's options. Exit codes: 0 success, 1 the run or
fetch failed (nothing of it was published), 2 usage or input error.`;
}

export async function main(argv: string[], out: Output = processOutput()): Promise<number> {
  const [command, ...rest] = argv;
  // `gdpmr help run`, `gdpmr help query top5`: the same page as `gdpmr run --help`.
  if (command === 'help' && rest.length > 0) return main([...rest, '--help'], out);
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    out.stdout(await overview());
    return command === undefined ? 2 : 0;
  }
  if (command === '--version' || command === '-V' || command === 'version') {
    out.stdout(`gdpmr ${version()}`);
    return 0;
  }
  const entry = COMMANDS[command];
  if (entry === undefined) {
    const { didYouMean } = await import('./suggest.js');
    out.stderr(`gdpmr: the command must be one of ${Object.keys(COMMANDS).join(', ')}, got ${quote(command)}${didYouMean(command, Object.keys(COMMANDS))} (see gdpmr --help)`);
    return 2;
  }
  try {
    return await (await entry.load())(rest, out);
  } catch (error) {
    if (error instanceof GdpmrError) {
      out.stderr(`gdpmr: ${errorText(error, 4000)}`);
      return error.exitCode;
    }
    // A bug, not bad input: say so plainly, without a stack trace unless asked for.
    out.stderr(`gdpmr: internal error: ${errorText(error)}`);
    if (process.env.GDPMR_DEBUG) out.stderr((error as Error)?.stack ?? '');
    return 1;
  }
}

// argv → command. The only module that prints or decides an exit code. A command's modules
// load only when it runs: `gdpmr query` must not pay for the pool, the charts or BullMQ.
import { errorText, GdpmrError, quote } from './errors.js';
import { processOutput, type Output } from './output.js';
import { version } from './version.js';

type Command = (argv: string[], out: Output) => Promise<number>;

const COMMANDS: Record<string, { usage: string; load: () => Promise<Command> }> = {
  extract: {
    usage: 'gdpmr extract wikipedia|imf|weo|worldbank [--url URL | --file FILE...] --out OUT.csv [--published DATE] [--timeout S]',
    load: async () => (await import('./commands/extract.js')).extractCommand,
  },
  run: {
    usage: 'gdpmr run INPUT.csv [--out DIR] [--chunk-size SIZE] [--workers N] [--regions FILE] [--source NAME] [--append | --replace] [--allow-reload] [--resume] [--redis URL]',
    load: async () => (await import('./commands/run.js')).runCommand,
  },
  query: {
    usage: 'gdpmr query top5|over|history|revisions [--warehouse DIR] [--source NAME] [--year Y] [--as-of DATE] [--projections] [--json|--csv]',
    load: async () => (await import('./commands/query.js')).queryCommand,
  },
  refresh: {
    usage: 'gdpmr refresh [--warehouse DIR] [--sources FILE] [--dry-run] [--max-drift PCT] [--accept-drift]',
    load: async () => (await import('./commands/refresh.js')).refreshCommand,
  },
  status: {
    usage: 'gdpmr status [--warehouse DIR] [--sources FILE] [--json] [--check]',
    load: async () => (await import('./commands/status.js')).statusCommand,
  },
  rebuild: {
    usage: 'gdpmr rebuild [--warehouse DIR] --out DIR2 [--skip-unarchived]',
    load: async () => (await import('./commands/rebuild.js')).rebuildCommand,
  },
  rollback: {
    usage: 'gdpmr rollback [--warehouse DIR] [--to N] [--list]',
    load: async () => (await import('./commands/rollback.js')).rollbackCommand,
  },
  verify: {
    usage: 'gdpmr verify [--warehouse DIR] [--json]',
    load: async () => (await import('./commands/verify.js')).verifyCommand,
  },
  sql: {
    usage: 'gdpmr sql "STATEMENT" | --file FILE [--warehouse DIR] [--json|--csv] [--timeout S]',
    load: async () => (await import('./commands/sql.js')).sqlCommand,
  },
  report: {
    usage: 'gdpmr report [--warehouse DIR] [--out FILE.html] [--as-of DATE] [--source NAME]',
    load: async () => (await import('./commands/report.js')).reportCommand,
  },
  export: {
    usage: 'gdpmr export [--warehouse DIR] --out DIR2 [--format parquet|csv] [--current-only]',
    load: async () => (await import('./commands/export.js')).exportCommand,
  },
  worker: {
    usage: 'gdpmr worker --redis URL [--concurrency N]',
    load: async () => (await import('./commands/worker.js')).workerCommand,
  },
  bench: {
    usage: 'gdpmr bench INPUT.csv [--chunk-sizes LIST] [--workers LIST] [--repeat N] [--report DIR] [--json]',
    load: async () => (await import('./commands/bench.js')).benchCommand,
  },
  generate: {
    usage: 'gdpmr generate --size SIZE --out FILE [--seed N] [--skew REGION=SHARE,...] [--dirt low|default|high]',
    load: async () => (await import('./commands/generate.js')).generateCommand,
  },
};

const HELP = `gdpmr — a local multiprocess MapReduce engine for nominal-GDP dumps

${Object.values(COMMANDS).map((c) => `  ${c.usage}`).join('\n')}

Run \`gdpmr COMMAND --help\` for a command's options. Exit codes: 0 success, 1 the run or
fetch failed (nothing of it was published), 2 usage or input error.`;

export async function main(argv: string[], out: Output = processOutput()): Promise<number> {
  const [command, ...rest] = argv;
  // `gdpmr help run`, `gdpmr help query top5`: the same page as `gdpmr run --help`.
  if (command === 'help' && rest.length > 0) return main([...rest, '--help'], out);
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    out.stdout(HELP);
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

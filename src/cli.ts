// argv → command. The only module that prints or decides an exit code.
import { GdpmrError } from './errors.js';
import { queryCommand, QUERY_HELP } from './commands/query.js';
import { runCommand, RUN_HELP } from './commands/run.js';
import { benchCommand, BENCH_HELP } from './commands/bench.js';
import { generateCommand, GENERATE_HELP } from './commands/generate.js';

export interface Output {
  stdout(text: string): void;
  stderr(text: string): void;
  /** Rewrites the one progress line on a terminal; '' clears it. */
  progress(text: string): void;
  stderrIsTTY: boolean;
}

const HELP = `gdpmr — a local multiprocess MapReduce engine for nominal-GDP dumps

  gdpmr run INPUT.csv [--out DIR] [--chunk-size SIZE] [--workers N] [--regions FILE] [--append] [--resume]
  gdpmr query top5 | over | history [--warehouse DIR] [--year Y] [--as-of DATE] [--json]
  gdpmr bench INPUT.csv [--chunk-sizes LIST] [--workers LIST] [--repeat N] [--report DIR] [--json]
  gdpmr generate --size SIZE --out FILE [--seed N] [--skew REGION=SHARE,...]

Run \`gdpmr COMMAND --help\` for a command's options.

${RUN_HELP}

${QUERY_HELP}

${BENCH_HELP}

${GENERATE_HELP}`;

const COMMANDS: Record<string, (argv: string[], out: Output) => Promise<number>> = {
  run: runCommand,
  query: queryCommand,
  bench: benchCommand,
  generate: generateCommand,
};

export function processOutput(): Output {
  return {
    stdout: (text) => process.stdout.write(text + '\n'),
    stderr: (text) => process.stderr.write(text + '\n'),
    progress: (text) => process.stderr.write(`\r\x1b[2K${text}`),
    stderrIsTTY: process.stderr.isTTY === true,
  };
}

export async function main(argv: string[], out: Output = processOutput()): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    out.stdout(HELP);
    return command === undefined ? 2 : 0;
  }
  const handler = COMMANDS[command];
  if (handler === undefined) {
    out.stderr(`gdpmr: the command must be one of ${Object.keys(COMMANDS).join(', ')}, got ${JSON.stringify(command)} (see gdpmr --help)`);
    return 2;
  }
  try {
    return await handler(rest, out);
  } catch (error) {
    if (error instanceof GdpmrError) {
      out.stderr(`gdpmr: ${error.message}`);
      return error.exitCode;
    }
    // A bug, not bad input: say so plainly, without a stack trace unless asked for.
    out.stderr(`gdpmr: internal error: ${(error as Error)?.message ?? String(error)}`);
    if (process.env.GDPMR_DEBUG) out.stderr((error as Error)?.stack ?? '');
    return 1;
  }
}

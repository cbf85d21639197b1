// Where a command writes: stdout for answers, stderr for messages and the one progress line.
// Commands take it as a parameter, so tests can capture what they print.
export interface Output {
  stdout(text: string): void;
  /** Writes `text` as it is, waiting while the reader is behind: for answers of any size. */
  stream(text: string): Promise<void>;
  stderr(text: string): void;
  /** Rewrites the one progress line on a terminal; '' clears it. */
  progress(text: string): void;
  stderrIsTTY: boolean;
}

/**
 * How the user invoked gdpmr, for the commands its messages suggest: `npx gdpmr` when npx ran
 * it (npm sets npm_command=exec), so that a suggested `--resume` line pastes as it was typed.
 */
export function invokedAs(env: NodeJS.ProcessEnv = process.env): string {
  return env.npm_command === 'exec' ? 'npx gdpmr' : 'gdpmr';
}

/** A message with every suggested command (in backticks) spelled as the user invoked gdpmr. */
export function asInvoked(text: string, prefix = invokedAs()): string {
  return prefix === 'gdpmr' ? text : text.replaceAll('`gdpmr ', `\`${prefix} `);
}

export function processOutput(): Output {
  // A reader that goes away (`gdpmr sql ... | head -1`) is no failure of ours: stop quietly.
  // Any other failure to write the answer (a full disk, /dev/full) is the run's: exit 1, said
  // in one line, as the answer on stdout is incomplete.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    process.stderr.write(`gdpmr: could not write the answer to standard output (${error.code ?? error.message}); what was written is incomplete\n`);
    process.exit(1);
  });
  return {
    stdout: (text) => process.stdout.write(text + '\n'),
    stream: (text) => (process.stdout.write(text) ? Promise.resolve() : new Promise((resolve) => process.stdout.once('drain', () => resolve()))),
    stderr: (text) => process.stderr.write(asInvoked(text) + '\n'),
    progress: (text) => process.stderr.write(`\r\x1b[2K${text}`),
    stderrIsTTY: process.stderr.isTTY === true,
  };
}

/**
 * A JSON answer whose last member is an array of every row: `head` is the object's opening up
 * to that member's name (`{"query":"sql",…,"rows":`), and `item` gives each row's JSON value.
 */
export async function streamJsonAnswer<T>(head: string, rows: Iterable<T>, item: (row: T) => unknown, out: Output): Promise<void> {
  await out.stream(`${head}[`);
  await streamBatches(rows, (batch, first) => (first ? '' : ',') + batch.map((row) => JSON.stringify(item(row))).join(','), out);
  await out.stream(']}\n');
}

/** A CSV answer: the header line, then every row's cells. */
export async function streamCsvAnswer<T>(headers: readonly string[], rows: Iterable<T>, cells: (row: T) => unknown[], out: Output): Promise<void> {
  const { stringify } = await import('csv-stringify/sync');
  await out.stream(stringify([headers]));
  await streamBatches(rows, (batch) => stringify(batch.map(cells)), out);
}

/** Rows written at a time when an answer streams. */
const BATCH = 5_000;

/**
 * Writes `rows` as `text` of a batch at a time (`first` for the first batch, where a JSON array
 * takes no comma), waiting for the reader between batches: memory holds one batch.
 */
async function streamBatches<T>(rows: Iterable<T>, text: (batch: T[], first: boolean) => string, out: Output): Promise<void> {
  let batch: T[] = [];
  let first = true;
  for (const row of rows) {
    batch.push(row);
    if (batch.length === BATCH) {
      await out.stream(text(batch, first));
      first = false;
      batch = [];
    }
  }
  if (batch.length > 0) await out.stream(text(batch, first));
}

/**
 * An Output whose answer is held until `finish()` (or until it holds more than `capBytes`, then
 * written and passed through): a command that fails midway leaves no half answer on stdout.
 */
export function holdingOutput(out: Output, capBytes: number): Output & { finish(): Promise<void>; flushed(): boolean } {
  let held: string[] = [];
  let size = 0;
  let passing = false;
  const release = async (): Promise<void> => {
    passing = true;
    const texts = held;
    held = [];
    for (const text of texts) await out.stream(text);
  };
  return {
    ...out,
    stdout: (text) => {
      if (passing) return out.stdout(text);
      held.push(text + '\n');
      size += text.length + 1;
    },
    stream: async (text) => {
      if (passing) return out.stream(text);
      held.push(text);
      size += text.length;
      if (size > capBytes) await release();
    },
    finish: release,
    flushed: () => passing,
  };
}

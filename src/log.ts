// The run log: newline-delimited JSON in DIR/logs/<run_id>.ndjson through pino. Every line
// carries run_id and stage, and chunk or region where there is one, so one chunk's story is
// a grep away. Only the coordinator writes it; workers report through their task results.
import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { pino, type Logger } from 'pino';

export type RunLogger = Logger & { close(): void };

/**
 * Synchronous writes: a run killed at any point keeps every line it logged. A line that cannot
 * be written (a disk filling up) is dropped: the log must never be why a run fails, and the run
 * itself then fails, or not, on its own writes, naming them.
 */
export function createRunLogger(path: string, runId: string): RunLogger {
  mkdirSync(dirname(path), { recursive: true });
  const fd = openSync(path, 'a');
  const destination = {
    write(line: string): void {
      try {
        writeSync(fd, line);
      } catch {
        // dropped, as said above
      }
    },
  };
  const logger = pino({ base: { run_id: runId }, timestamp: pino.stdTimeFunctions.isoTime }, destination);
  return Object.assign(logger, {
    close(): void {
      try {
        closeSync(fd);
      } catch {
        // closed already
      }
    },
  });
}

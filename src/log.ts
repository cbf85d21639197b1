// The run log: newline-delimited JSON in DIR/logs/<run_id>.ndjson through pino. Every line
// carries run_id and stage, and chunk or region where there is one, so one chunk's story is
// a grep away. Only the coordinator writes it; workers report through their task results.
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { pino, type Logger } from 'pino';

export type RunLogger = Logger;

export function createRunLogger(path: string, runId: string): RunLogger {
  mkdirSync(dirname(path), { recursive: true });
  // Synchronous writes: a run killed at any point keeps every line it logged.
  const destination = pino.destination({ dest: path, sync: true, mkdir: true });
  return pino({ base: { run_id: runId }, timestamp: pino.stdTimeFunctions.isoTime }, destination);
}

// Errors that reach the user. Each carries a stable code (tests match on it) and the exit code
// SPEC §7 gives it; anything else that escapes is a bug and is reported as one.

export type ErrorCode =
  | 'USAGE'
  | 'INPUT_MISSING'
  | 'INPUT_NOT_A_FILE'
  | 'INPUT_EMPTY'
  | 'INPUT_UNREADABLE'
  | 'INPUT_CHANGED'
  | 'MISSING_COLUMN'
  | 'DUPLICATE_COLUMN'
  | 'REGION_MAP_INVALID'
  | 'REGION_MAP_UNREADABLE'
  | 'NO_WAREHOUSE'
  | 'WAREHOUSE_LOCKED'
  | 'OUTPUT_UNWRITABLE'
  | 'NOT_A_WAREHOUSE'
  | 'WAREHOUSE_DAMAGED'
  | 'WAREHOUSE_OUTDATED'
  | 'NOTHING_TO_RESUME'
  | 'NOTHING_TO_ROLL_BACK'
  | 'RESUME_MISMATCH'
  | 'TASK_FAILED'
  | 'RUNNER_FAILED'
  | 'FETCH_FAILED'
  | 'SOURCE_INVALID'
  | 'RUN_FAILED';

const USAGE_CODES = new Set<ErrorCode>([
  'USAGE',
  'INPUT_MISSING',
  'INPUT_NOT_A_FILE',
  'INPUT_EMPTY',
  'INPUT_UNREADABLE',
  'MISSING_COLUMN',
  'DUPLICATE_COLUMN',
  'REGION_MAP_INVALID',
  'REGION_MAP_UNREADABLE',
  'NO_WAREHOUSE',
  'NOTHING_TO_RESUME',
  'RESUME_MISMATCH',
]);

export class GdpmrError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'GdpmrError';
  }

  /** 2 for wrong usage or input, 1 for a run that failed. */
  get exitCode(): 1 | 2 {
    return USAGE_CODES.has(this.code) ? 2 : 1;
  }
}

export function usage(message: string): GdpmrError {
  return new GdpmrError('USAGE', message);
}

/**
 * The text of anything thrown: an Error's message, a string, or an object's JSON, so that a
 * message never reads "[object Object]". Cut to `max` characters: a binary input must not
 * fill a terminal.
 */
export function errorText(error: unknown, max = 2000): string {
  let text: string;
  if (error instanceof Error) text = error.message || error.name;
  else if (typeof error === 'string') text = error;
  else if (error !== null && typeof error === 'object' && typeof (error as { message?: unknown }).message === 'string') text = (error as { message: string }).message;
  else {
    try {
      text = JSON.stringify(error) ?? String(error);
    } catch {
      text = String(error);
    }
  }
  return text.length > max ? `${text.slice(0, max)}… (${text.length - max} more characters)` : text;
}

/** A value quoted for a message: JSON-escaped (control bytes visible) and cut to `max` characters. */
export function quote(value: string, max = 60): string {
  const cut = value.length > max ? `${value.slice(0, max)}…` : value;
  return JSON.stringify(cut);
}

// Errors that reach the user. Each carries a stable code (tests match on it) and the exit code
// SPEC §7 gives it; anything else that escapes is a bug and is reported as one.

export type ErrorCode =
  | 'USAGE'
  | 'INPUT_MISSING'
  | 'INPUT_NOT_A_FILE'
  | 'INPUT_EMPTY'
  | 'MISSING_COLUMN'
  | 'REGION_MAP_INVALID'
  | 'REGION_MAP_UNREADABLE'
  | 'NO_WAREHOUSE'
  | 'WAREHOUSE_LOCKED'
  | 'OUTPUT_UNWRITABLE'
  | 'NOT_A_WAREHOUSE'
  | 'NOTHING_TO_RESUME'
  | 'RESUME_MISMATCH'
  | 'TASK_FAILED'
  | 'RUN_FAILED';

const USAGE_CODES = new Set<ErrorCode>([
  'USAGE',
  'INPUT_MISSING',
  'INPUT_NOT_A_FILE',
  'INPUT_EMPTY',
  'MISSING_COLUMN',
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

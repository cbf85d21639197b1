// Where the DuckDB client for the comparison benchmark lives. It is installed on demand into the
// git-ignored bench/.duckdb/ rather than listed as a dev dependency: its platform packages are
// optional dependencies that npm 11 leaves out of package-lock.json, after which `npm ci` refuses
// the lock file (npm/cli#8805, #4828) and a clean CI install fails.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const DUCKDB_CLIENT = '@duckdb/node-api@1.5.6-r.1';
const PREFIX = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'bench', '.duckdb');

/** The client's entry file, installing the client first if it is not there yet. */
export function duckdbClientEntry(): string {
  const require = createRequire(join(PREFIX, 'package.json'));
  try {
    return require.resolve('@duckdb/node-api');
  } catch {
    if (!existsSync(PREFIX)) process.stderr.write(`installing ${DUCKDB_CLIENT} into ${PREFIX}\n`);
    execFileSync('npm', ['install', '--prefix', PREFIX, '--no-save', '--no-audit', '--no-fund', DUCKDB_CLIENT], { stdio: ['ignore', 'ignore', 'inherit'] });
    return require.resolve('@duckdb/node-api');
  }
}

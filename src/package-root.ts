// The package's root directory, found once: modules run from src/ (tests) or dist/src/ (the CLI).
import { dirname, join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

export const PACKAGE_ROOT = here.endsWith(`${sep}dist${sep}src`) ? join(here, '..', '..') : join(here, '..');

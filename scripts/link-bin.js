// npm links the bins of dependencies, not of the package itself; the brief promises that
// `npm ci` leaves a working node_modules/.bin/gdpmr, so link it here (idempotent).
import { mkdirSync, rmSync, symlinkSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const binDir = join(root, 'node_modules', '.bin');
const link = join(binDir, 'gdpmr');
mkdirSync(binDir, { recursive: true });
rmSync(link, { force: true });
symlinkSync(relative(binDir, join(root, 'bin', 'gdpmr.js')), link);

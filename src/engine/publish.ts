// How a finished run becomes the published warehouse (the lock that guards it is lock.ts).
// Publishing renames the staged generation into .gen/ and then swaps the one `.current`
// symlink (rename over a symlink is atomic): that is the commit.
import { existsSync, lstatSync, mkdirSync, readdirSync, renameSync, rmSync, symlinkSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { GdpmrError, usage } from '../errors.js';
import { kindOf } from '../fs.js';
import { isGenerationDir, KEEP_GENERATIONS, keptGenerations, writeKept, type KeptGeneration } from '../store/kept.js';
import { currentGeneration, FIXED_LINKS, generationName, linkTarget, type WarehousePaths } from '../store/layout.js';
import { checkGeneration } from '../store/verify.js';

function pointLink(link: string, target: string): void {
  const tmp = `${link}.tmp-${process.pid}`;
  rmSync(tmp, { force: true });
  symlinkSync(relative(dirname(link), target), tmp);
  renameSync(tmp, link);
}

/**
 * Refuses an --out that is not a directory, or whose own names are not what gdpmr made them:
 * checked before anything is written there, so a refused directory is left as it was. Every
 * later step deletes only inside `.gen/` and `.runs/` and only by a generation's name, so a
 * link that led anywhere else (outside, `.gen/..`, the warehouse itself) would make it delete
 * what it must not: such a warehouse is refused, never followed.
 */
export function checkOutDirectory(paths: WarehousePaths, flag = '--out'): void {
  const kind = kindOf(paths.root);
  if (kind !== null && kind !== 'directory') {
    throw new GdpmrError('NOT_A_WAREHOUSE', `${flag} must be a directory, got ${paths.root} (${kind === 'file' ? 'a file' : 'not a directory'})`);
  }
  for (const dir of [paths.generationsDir, paths.runsDir, paths.logsDir]) {
    if (linkTarget(dir) !== null) {
      throw new GdpmrError('NOT_A_WAREHOUSE', `${dir} is a symbolic link (to ${linkTarget(dir)}): gdpmr writes and deletes only inside the warehouse and does not follow it; remove the link and run again`);
    }
    const k = kindOf(dir);
    if (k !== null && k !== 'directory') throw new GdpmrError('NOT_A_WAREHOUSE', `${dir} must be gdpmr's directory, got ${k === 'file' ? 'a file' : 'something else'}: remove it and run again`);
  }
  for (const link of [paths.currentLink, paths.previousLink]) {
    const target = linkTarget(link);
    if (target === null) {
      if (lexists(link)) throw new GdpmrError('NOT_A_WAREHOUSE', `${link} must be gdpmr's link to a generation (.gen/<run_id>), got a ${kindOf(link) === 'directory' ? 'directory' : 'file'}: gdpmr would replace it; move it away and run again`);
      continue;
    }
    const name = generationName(target);
    if (name === null) {
      throw new GdpmrError('NOT_A_WAREHOUSE', `${link} points at ${target}, which is not one generation of the warehouse (.gen/<run_id>): gdpmr does not follow it; point it at a generation \`gdpmr rollback --list\` shows, or remove it`);
    }
    if (lexists(paths.generation(name).root) && !isGenerationDir(paths, name)) {
      throw new GdpmrError('NOT_A_WAREHOUSE', `${link} points at ${target}, which is not a generation directory (a link, or a file): gdpmr does not follow it; remove it, or rebuild the warehouse`);
    }
  }
  if (lexists(paths.keptList) && kindOf(paths.keptList) !== 'file') {
    throw new GdpmrError('NOT_A_WAREHOUSE', `${paths.keptList} must be gdpmr's list of kept generations, a file: remove it and run again`);
  }
  for (const name of FIXED_LINKS) {
    const link = join(paths.root, name);
    if (linkTarget(link) === null && kindOf(link) !== null) {
      throw new GdpmrError('NOT_A_WAREHOUSE', `${flag} must be a gdpmr warehouse or a directory without ${FIXED_LINKS.join(', ')}, got ${paths.root} (${name} is not gdpmr's)`);
    }
  }
}

function lexists(path: string): boolean {
  try {
    lstatSync(path);
    return true;
  } catch {
    return false;
  }
}

/** The fixed links from DIR's published names through `.current`; made once, never swapped. */
function ensureFixedLinks(paths: WarehousePaths): void {
  checkOutDirectory(paths);
  for (const name of FIXED_LINKS) {
    const link = join(paths.root, name);
    const want = join('.current', name);
    if (linkTarget(link) !== want) pointLink(link, join(paths.root, want));
  }
}

const sound = (paths: WarehousePaths, generation: string): boolean => checkGeneration(paths, generation, paths.root).problems.length === 0;

/**
 * Tidies what a killed run may have left: completes the fixed links, and removes a generation
 * no link or list names (a publish cut short before its swap, whose run was then discarded),
 * keeping those listed in `keep` (a resumed run's own). One that cannot be verified is listed
 * among the kept ones instead: nothing gdpmr cannot read is deleted.
 */
export function repairPublished(paths: WarehousePaths, keep: readonly string[]): void {
  const current = currentGeneration(paths);
  // Before the first publish the links may not exist yet; files of someone else's must not.
  if (current !== null || FIXED_LINKS.some((name) => existsSync(join(paths.root, name)))) ensureFixedLinks(paths);
  if (!existsSync(paths.generationsDir)) return;
  const kept = keptGenerations(paths);
  const strays: KeptGeneration[] = [];
  for (const name of readdirSync(paths.generationsDir)) {
    if (name === current || keep.includes(name) || kept.some((k) => k.generation === name) || !isGenerationDir(paths, name)) continue;
    if (sound(paths, name)) rmSync(paths.generation(name).root, { recursive: true, force: true });
    else strays.push({ generation: name, replaced_at: '' });
  }
  if (strays.length > 0) writeKept(paths, [...kept, ...strays]);
}

/**
 * After a publish or rollback: the kept generations beyond the first KEEP_GENERATIONS sound ones
 * are deleted if sound; those that cannot be verified stay (and are counted apart).
 */
function pruneKept(paths: WarehousePaths): void {
  const kept = keptGenerations(paths);
  let soundSeen = 0;
  const stay: KeptGeneration[] = [];
  const drop: string[] = [];
  for (const k of kept) {
    if (!sound(paths, k.generation)) stay.push(k);
    else if (soundSeen++ < KEEP_GENERATIONS) stay.push(k);
    else drop.push(k.generation);
  }
  if (drop.length === 0) return;
  writeKept(paths, stay);
  for (const name of drop) rmSync(paths.generation(name).root, { recursive: true, force: true });
}

/**
 * Publishes a staged generation: one rename of `.current` swaps every published file at once.
 * The generation it replaces is listed among the kept ones first (store/kept.ts says why that
 * order is safe). Each step can be redone, so a resumed run finishes a publish that was cut short.
 */
export function publishGeneration(paths: WarehousePaths, stagingRoot: string, runId: string, now = new Date()): void {
  const generation = paths.generation(runId);
  const replaced = currentGeneration(paths);
  mkdirSync(paths.generationsDir, { recursive: true });
  if (existsSync(stagingRoot)) {
    rmSync(generation.root, { recursive: true, force: true });
    renameSync(stagingRoot, generation.root);
  }
  const kept = keptGenerations(paths).filter((k) => k.generation !== runId);
  if (replaced !== null && replaced !== runId) writeKept(paths, [{ generation: replaced, replaced_at: now.toISOString() }, ...kept]);
  else if (!existsSync(paths.keptList)) writeKept(paths, kept);
  pointLink(paths.currentLink, generation.root);
  // An earlier gdpmr's one kept generation is in the list now.
  if (linkTarget(paths.previousLink) !== null) rmSync(paths.previousLink, { force: true });
  ensureFixedLinks(paths);
  pruneKept(paths);
}

/**
 * `gdpmr rollback`: kept generation `index` (1 = the one replaced last) becomes the published
 * one in one rename of `.current`; the one it replaces is kept first in the list, so a second
 * rollback undoes the first. A generation that does not verify is refused, naming what is wrong.
 */
export function rollbackGeneration(paths: WarehousePaths, index = 1, now = new Date()): { restored: string; replaced: string } {
  const current = currentGeneration(paths);
  const kept = keptGenerations(paths);
  if (current === null || kept.length === 0) {
    throw new GdpmrError('NOTHING_TO_ROLL_BACK', `warehouse ${paths.root} keeps no earlier generation to roll back to${current === null ? ' (nothing is published)' : ''}: a run keeps the ones it replaces, and none has replaced one here yet`);
  }
  if (index > kept.length) {
    throw usage(`--to must be the number of a kept generation (1 to ${kept.length}; \`gdpmr rollback --list\` shows them), got ${index}`);
  }
  const target = kept[index - 1];
  const problems = checkGeneration(paths, target.generation, paths.root).problems;
  if (problems.length > 0) {
    const p = problems[0];
    throw new GdpmrError(
      'WAREHOUSE_DAMAGED',
      `generation ${target.generation} (kept ${index}) cannot be restored: ${p.file}: ${p.message}${problems.length > 1 ? ` (and ${problems.length - 1} more)` : ''}; the published warehouse is unchanged. \`gdpmr rollback --list\` shows the kept generations and what is wrong with each`,
    );
  }
  const replacedEntry = { generation: current, replaced_at: now.toISOString() };
  // Until the swap the target stays listed: a kill in between must not leave it unnamed.
  writeKept(paths, [replacedEntry, ...kept]);
  pointLink(paths.currentLink, paths.generation(target.generation).root);
  if (linkTarget(paths.previousLink) !== null) rmSync(paths.previousLink, { force: true });
  writeKept(paths, [replacedEntry, ...kept.filter((k) => k.generation !== target.generation)]);
  return { restored: target.generation, replaced: current };
}

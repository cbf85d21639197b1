// The files of a `files` entry: each path or glob pattern (`*`, `?`, `[...]` within one path
// segment) relative to the sources file, expanded to the regular files it matches, sorted.
import { readdirSync, statSync } from 'node:fs';
import { isAbsolute, join, resolve, sep } from 'node:path';

const MAGIC = /[*?[]/;

function segmentPattern(segment: string): RegExp {
  let re = '';
  for (let i = 0; i < segment.length; i++) {
    const c = segment[i];
    if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else if (c === '[') {
      const end = segment.indexOf(']', i + 2);
      if (end < 0) re += '\\[';
      else {
        const body = segment.slice(i + 1, end).replace(/\\/g, '\\\\');
        re += `[${body.startsWith('!') ? '^' + body.slice(1) : body}]`;
        i = end;
      }
    } else re += c.replace(/[.+^${}()|\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

/** The regular files `pattern` names (a plain path: itself, if it is one). */
export function expandPattern(pattern: string, baseDir: string): string[] {
  const full = isAbsolute(pattern) ? pattern : join(baseDir, pattern);
  const parts = resolve(full).split(sep);
  let dirs = [parts[0] === '' ? sep : parts[0]];
  for (const part of parts.slice(1)) {
    if (part === '') continue;
    const next: string[] = [];
    for (const dir of dirs) {
      if (!MAGIC.test(part)) {
        next.push(join(dir, part));
        continue;
      }
      const re = segmentPattern(part);
      let names: string[] = [];
      try {
        names = readdirSync(dir);
      } catch {
        names = [];
      }
      for (const name of names) if (re.test(name) && (name[0] !== '.' || part[0] === '.')) next.push(join(dir, name));
    }
    dirs = next;
  }
  return dirs.filter((p) => {
    try {
      return statSync(p).isFile();
    } catch {
      return false;
    }
  }).sort();
}

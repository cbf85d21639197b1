// The README followed literally: every shell block of its quick start and workflows runs, in
// order, in one temporary directory, and fails the test on any exit the text does not announce
// (`# exit N` on a line announces N). Offline: `https://www.imf.org` is served by a loopback
// server that answers as the DataMapper API does, with a revised copy of the saved response (the
// next vintage). The README's own `text` blocks that follow a shell block are checked against
// what it printed, and the command reference against `gdpmr --help`.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { existsSync, readlinkSync, readFileSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanTempDirs, CLI, DATA, ROOT, tempDir } from '../helpers.js';
import { freePort, HAVE_REDIS } from '../queue/redis.js';

const README = readFileSync(join(ROOT, 'README.md'), 'utf8');

interface Block {
  section: string;
  lang: string;
  code: string;
}

/** The fenced blocks of the README, each with the `##` section it is in. */
function blocks(): Block[] {
  const out: Block[] = [];
  let section = '';
  const lines = README.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const heading = /^## (.*)/.exec(lines[i]);
    if (heading) section = heading[1];
    const fence = /^```(\w*)$/.exec(lines[i]);
    if (!fence) continue;
    const body: string[] = [];
    for (i++; i < lines.length && lines[i] !== '```'; i++) body.push(lines[i]);
    out.push({ section, lang: fence[1], code: body.join('\n') });
  }
  return out;
}

const RUN_SECTIONS = /^(Quick start|Workflow|Large dumps)/;

/** The saved NGDPD response, revised: a next vintage whose every 2024+ figure moved up 2 %. */
function revisedValues(): string {
  const raw = JSON.parse(readFileSync(join(DATA, 'sources', 'imf_datamapper_NGDPD_raw.json'), 'utf8'));
  for (const byYear of Object.values(raw.values.NGDPD) as Array<Record<string, number>>) {
    for (const year of Object.keys(byYear)) if (Number(year) >= 2024 && typeof byYear[year] === 'number') byYear[year] = Math.round(byYear[year] * 1.02 * 1000) / 1000;
  }
  return JSON.stringify(raw);
}

function runBash(script: string, cwd: string, env: NodeJS.ProcessEnv): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn('bash', ['-e', '-o', 'pipefail', '-c', script], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

let server: Server;
let base: string;
beforeAll(async () => {
  const values = revisedValues();
  const countries = readFileSync(join(DATA, 'sources', 'imf_datamapper_countries.json'));
  server = createServer((req, res) => {
    if (req.url === '/external/datamapper/api/v1/NGDPD') res.writeHead(200, { 'content-type': 'application/json' }).end(values);
    else if (req.url === '/external/datamapper/api/v1/countries') res.writeHead(200, { 'content-type': 'application/json' }).end(countries);
    else res.writeHead(404).end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => {
  server?.close();
  cleanTempDirs();
});

describe('the README, followed literally', () => {
  it('every shell block of the quick start and the workflows runs in order, with the exits it announces, and prints what it says', async () => {
    const dir = tempDir('gdpmr-readme-');
    symlinkSync(DATA, join(dir, 'data'));
    // The README puts the clone's node_modules/.bin on PATH once per shell; each block here is a
    // shell of its own, so each gets that PATH: gdpmr is the clone's link, as a reader runs it.
    symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
    const bin = join(dir, 'node_modules', '.bin');
    expect(readlinkSync(join(bin, 'gdpmr'))).toBe('../../bin/gdpmr.js');
    const redisPort = String(await freePort());
    const all = blocks();
    let ran = 0;
    for (const [i, block] of all.entries()) {
      if (block.lang !== 'sh' || !RUN_SECTIONS.test(block.section)) continue;
      if (block.code.includes('redis-server') && !HAVE_REDIS) continue;
      const script = block.code
        .split('\n')
        .map((line) => {
          let cmd = line.replaceAll('npx gdpmr', 'gdpmr').replaceAll('https://www.imf.org', base).replaceAll('6390', redisPort);
          const announced = /#\s*exit (\d+)/.exec(cmd);
          if (announced === null) return cmd;
          cmd = cmd.slice(0, cmd.indexOf('#')).trim();
          return `set +e; ${cmd}; rc=$?; set -e; if [ $rc -ne ${announced[1]} ]; then echo "README: expected exit ${announced[1]}, got $rc: ${cmd.replaceAll('"', '\\"')}" >&2; exit 1; fi`;
        })
        .join('\n');
      // Asynchronously: the loopback server standing in for the IMF answers from this process.
      const r = await runBash(script, dir, { ...process.env, npm_command: '', PATH: `${bin}:${process.env.PATH}` });
      expect(r.status, `README block in "${block.section}" failed:\n${block.code}\n--- stderr:\n${r.stderr}`).toBe(0);
      ran++;
      const next = all[i + 1];
      if (next !== undefined && next.lang === 'text' && next.section === block.section) {
        expect(r.stdout, `README: the text after the block in "${block.section}" is not what it printed`).toContain(next.code);
      }
    }
    expect(ran).toBeGreaterThanOrEqual(7);
  }, 600_000);

  it('the command reference is what `gdpmr --help` prints', () => {
    const reference = blocks().find((b) => b.section === 'Command reference' && b.lang === 'text');
    const help = execFileSync(process.execPath, [CLI, '--help'], { encoding: 'utf8' });
    expect(reference?.code).toBe(help.trimEnd());
  });

  it('every command of `gdpmr --help` names the flags its own page lists, no more and no fewer', () => {
    const help = execFileSync(process.execPath, [CLI, '--help'], { encoding: 'utf8' });
    // One entry per usage line, its wrapped continuation lines joined.
    const entries = help.replace(/\n {6,}/g, ' ').split('\n').filter((l) => l.startsWith('  gdpmr '));
    expect(entries.length).toBeGreaterThanOrEqual(20);
    const flagsOf = (text: string): string[] => [...new Set(text.match(/--[a-z][a-z-]*/g) ?? [])].sort();
    for (const entry of entries) {
      const words = entry.trim().split(' ');
      // `gdpmr query top5 ...`, `gdpmr extract weo ...`: a lower-case second word is a subcommand.
      const command = /^[a-z0-9]+$/.test(words[2] ?? '') ? words.slice(1, 3) : words.slice(1, 2);
      const page = spawnSync(process.execPath, [CLI, ...command, '--help'], { encoding: 'utf8' });
      expect(page.status, `gdpmr ${command.join(' ')} --help`).toBe(0);
      const listed = [...page.stdout.matchAll(/^ {2}(--[a-z][a-z-]*)/gm)].map((m) => m[1]);
      expect(flagsOf(entry), `gdpmr --help's line for ${command.join(' ')} against its page`).toEqual(flagsOf(listed.join(' ')));
    }
  });

  it('`npx gdpmr` runs the clone\'s CLI without fetching anything', () => {
    const r = spawnSync('npx', ['--no-install', 'gdpmr', '--version'], { cwd: ROOT, encoding: 'utf8' });
    expect(r.stdout).toMatch(/^gdpmr \d+\.\d+\.\d+/);
  });

  // A clone without the project's shared folder beside it carries its own copy only: the check
  // is then skipped, and says so, rather than passing on nothing.
  it.skipIf(!existsSync(join(ROOT, '..', 'shared', 'SPEC.md')))("docs/SPEC.md is the project's contract, word for word", () => {
    expect(readFileSync(join(ROOT, 'docs', 'SPEC.md'), 'utf8')).toBe(readFileSync(join(ROOT, '..', 'shared', 'SPEC.md'), 'utf8'));
  });
});

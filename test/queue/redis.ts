// A Redis of the test's own on a free loopback port (persistence off), and `gdpmr worker`
// processes against it. Tests that need them are skipped, saying how to install Redis, where
// Debian's redis-server is missing.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { CLI } from '../helpers.js';

export const INSTALL_HINT = 'redis-server is not installed: apt-get install -y redis-server (.ci/run installs it)';

/**
 * Whether redis-server runs here. Asked up to three times: a spawn can fail for a moment on a
 * loaded machine, and that must not skip the queue tests. Where they are required (.ci/run
 * sets GDPMR_REQUIRE_REDIS), a missing redis-server fails the suite instead of skipping it.
 */
function haveRedis(): boolean {
  for (let attempt = 0; attempt < 3; attempt++) if (spawnSync('redis-server', ['--version']).status === 0) return true;
  if (process.env.GDPMR_REQUIRE_REDIS === '1') throw new Error(`GDPMR_REQUIRE_REDIS is set but ${INSTALL_HINT}`);
  return false;
}
export const HAVE_REDIS = haveRedis();

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

export interface RedisServer {
  port: number;
  url: string;
  stop(): Promise<void>;
}

export async function startRedis(port?: number, extra: string[] = []): Promise<RedisServer> {
  const p = port ?? (await freePort());
  const child = spawn('redis-server', ['--port', String(p), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', ...extra], { stdio: ['ignore', 'pipe', 'pipe'] });
  await new Promise<void>((resolve, reject) => {
    let text = '';
    const timer = setTimeout(() => reject(new Error(`redis-server did not start: ${text}`)), 10_000);
    child.stdout?.on('data', (d) => {
      text += d;
      if (text.includes('Ready to accept connections')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code) => reject(new Error(`redis-server exited ${code}: ${text}`)));
  });
  return {
    port: p,
    url: `redis://127.0.0.1:${p}`,
    stop: () => stopProcess(child, 'SIGKILL'),
  };
}

export interface WorkerProcess {
  child: ChildProcess;
  log(): string;
  exited: Promise<number | null>;
}

export function startWorker(url: string, concurrency = 1, env: NodeJS.ProcessEnv = {}, wrap: string[] = []): WorkerProcess {
  const args = [...wrap, process.execPath, CLI, 'worker', '--redis', url, '--concurrency', String(concurrency)];
  const child = spawn(args[0], args.slice(1), { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
  let log = '';
  child.stdout?.on('data', (d) => (log += d));
  child.stderr?.on('data', (d) => (log += d));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, log: () => log, exited };
}

export async function stopProcess(child: ChildProcess, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const gone = new Promise((resolve) => child.once('exit', resolve));
  child.kill(signal);
  await gone;
}

export { until } from '../helpers.js';

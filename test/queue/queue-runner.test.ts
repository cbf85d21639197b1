// SPEC §11: the same tasks on a BullMQ queue in Redis, run by `gdpmr worker` processes: the
// same warehouse as a local run, whatever dies or goes away meanwhile.
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateDump } from '../../src/generate/dump.js';
import { cleanTempDirs, cli, CLI, journalEntries, ROOT, runEngine, snapshot, tempDir, WIKIPEDIA, writeInput } from '../helpers.js';
import { freePort, HAVE_REDIS, INSTALL_HINT, startRedis, startWorker, stopProcess, until, type RedisServer, type WorkerProcess } from './redis.js';

afterAll(cleanTempDirs);
if (!HAVE_REDIS) console.warn(`skipping the queue runner tests: ${INSTALL_HINT}`);

function dumpFile(dir: string, bytes: number, seed: number): string {
  const path = join(dir, `dump-${seed}.csv`);
  writeFileSync(path, [...generateDump(bytes, { seed, territories: 400 })].join(''));
  return path;
}

/** How many map tasks the unfinished run in DIR has journaled. */
const mapsJournaled = (out: string): number => journalEntries(out).filter((e) => e.task === 'map').length;

function runInBackground(args: string[]) {
  const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, exited, stderr: () => stderr };
}

describe.skipIf(!HAVE_REDIS)('the queue runner with two worker processes', () => {
  let redis: RedisServer;
  let workers: WorkerProcess[];
  beforeAll(async () => {
    redis = await startRedis();
    workers = [startWorker(redis.url), startWorker(redis.url)];
  });
  afterAll(async () => {
    await Promise.all(workers.map((w) => stopProcess(w.child)));
    await redis.stop();
  });

  it('gives the same warehouse as a one-chunk inline run, for random dumps and splits', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 100_000 }), fc.integer({ min: 500, max: 30_000 }), fc.integer({ min: 64, max: 4096 }), async (seed, bytes, chunkBytes) => {
        const dir = tempDir();
        // Codes, spellings and sources half the time (SPEC §1's identity, decided in the map).
        const input = writeInput(dir, 'd.csv', [...generateDump(bytes, { seed, territories: 8, identity: seed % 2 === 0 })].join(''));
        await runEngine(input, join(dir, 'whole'), { chunkBytes: 1 << 30 });
        await runEngine(input, join(dir, 'queue'), { chunkBytes, runner: 'queue', redisUrl: redis.url, workers: 2 });
        expect(snapshot(join(dir, 'queue'))).toEqual(snapshot(join(dir, 'whole')));
      }),
      { numRuns: 5 },
    );
  });

  it('a worker SIGKILLed mid-run: its task runs again elsewhere, and the warehouse is a clean run\'s', async () => {
    const dir = tempDir();
    const input = dumpFile(dir, 3 * 1024 * 1024, 21);
    const out = join(dir, 'q');
    const run = runInBackground(['run', input, '--out', out, '--chunk-size', '64KB', '--redis', redis.url, '--workers', '2']);
    await until(() => mapsJournaled(out) >= 4, 60_000, 'map tasks');
    await stopProcess(workers[0].child, 'SIGKILL');
    expect(await run.exited).toBe(0);
    workers[0] = startWorker(redis.url);
    await runEngine(input, join(dir, 'local'), { chunkBytes: 1 << 30 });
    expect(snapshot(out)).toEqual(snapshot(join(dir, 'local')));
  });

  it('SIGTERM drains: the worker finishes its task and exits 0; the run goes on', async () => {
    const dir = tempDir();
    const input = dumpFile(dir, 2 * 1024 * 1024, 22);
    const out = join(dir, 'q');
    const extra = startWorker(redis.url);
    await until(() => extra.log().includes('taking tasks'), 10_000, 'the worker to start');
    const run = runInBackground(['run', input, '--out', out, '--chunk-size', '64KB', '--redis', redis.url]);
    await until(() => extra.log().includes('joined run queue') && mapsJournaled(out) >= 2, 60_000, 'map tasks');
    extra.child.kill('SIGTERM');
    const code = await extra.exited;
    expect({ code, log: extra.log() }).toMatchObject({ code: 0, log: expect.stringContaining('SIGTERM: finishing the tasks in hand') });
    expect(await run.exited).toBe(0);
    await runEngine(input, join(dir, 'local'), { chunkBytes: 1 << 30 });
    expect(snapshot(out)).toEqual(snapshot(join(dir, 'local')));
  });
});

describe.skipIf(!HAVE_REDIS)('Redis away', () => {
  it('a worker told to stop while Redis is gone stops: cleanly, or after a few seconds of Redis away, saying so', async () => {
    const redis = await startRedis();
    const worker = startWorker(redis.url);
    try {
      await until(() => worker.log().includes('taking tasks'), 10_000, 'the worker to start');
      // A run whose queue the worker has joined: closing that queue is what waited for Redis.
      const dir = tempDir();
      const run = runInBackground(['run', dumpFile(dir, 2 * 1024 * 1024, 5), '--out', join(dir, 'q'), '--chunk-size', '64KB', '--redis', redis.url]);
      await until(() => worker.log().includes('joined run queue'), 30_000, 'the worker to join the run');
      await redis.stop();
      worker.child.kill('SIGTERM');
      run.child.kill('SIGKILL');
      // A bound on the wait, not a speed: without the fix the worker never exits.
      await until(() => worker.child.exitCode !== null, 30_000, 'the worker to exit');
      expect(worker.child.exitCode).toBe(0);
      expect(worker.log(), worker.log()).toMatch(/: stopped\n|has been unreachable for 3 s: stopping without the tasks in hand/);
    } finally {
      await stopProcess(worker.child);
    }
  }, 60_000);


  it('unreachable at start: exit 1 within 15 s naming the URL, nothing published', async () => {
    const port = await freePort();
    const out = join(tempDir(), 'w');
    const t0 = Date.now();
    const r = await cli(['run', WIKIPEDIA, '--out', out, '--redis', `redis://127.0.0.1:${port}`]);
    expect(r.code).toBe(1);
    expect(Date.now() - t0).toBeLessThan(15_000);
    expect(r.stderr).toContain(`Redis at redis://127.0.0.1:${port} is unreachable`);
    expect(existsSync(join(out, 'manifest.json'))).toBe(false);
  });

  it('a worker whose Redis is unreachable: exit 1 within 15 s naming the URL', async () => {
    const port = await freePort();
    const t0 = Date.now();
    const r = await cli(['worker', '--redis', `redis://127.0.0.1:${port}`]);
    expect(r.code).toBe(1);
    expect(Date.now() - t0).toBeLessThan(15_000);
    expect(r.stderr).toContain(`Redis at redis://127.0.0.1:${port} is unreachable`);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('a worker stopped while it is still reaching Redis: exit 0, nothing taken', async () => {
    // A server that accepts connections and never answers: the worker waits on its ping.
    const sockets: Socket[] = [];
    const silent = createServer((socket) => sockets.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      const worker = startWorker(`redis://127.0.0.1:${(silent.address() as AddressInfo).port}`);
      await until(() => sockets.length > 0, 10_000, 'the worker to connect');
      worker.child.kill('SIGTERM');
      const code = await worker.exited;
      expect({ code, log: worker.log() }).toMatchObject({ code: 0, log: expect.stringContaining('stopped before taking any task') });
    } finally {
      sockets.forEach((s) => s.destroy());
      silent.close();
    }
  });

  it('lost mid-run: exit 1 with the old warehouse intact; --resume once it is back publishes the same warehouse', async () => {
    const dir = tempDir();
    const input = dumpFile(dir, 3 * 1024 * 1024, 23);
    const out = join(dir, 'q');
    expect((await cli(['run', WIKIPEDIA, '--out', out])).code).toBe(0);
    const before = snapshot(out);
    let redis = await startRedis();
    const worker = startWorker(redis.url);
    try {
      const run = runInBackground(['run', input, '--out', out, '--chunk-size', '64KB', '--redis', redis.url]);
      await until(() => mapsJournaled(out) >= 3, 60_000, 'map tasks');
      await redis.stop();
      expect(await run.exited).toBe(1);
      expect(run.stderr()).toContain(`lost Redis at ${redis.url}`);
      expect(snapshot(out)).toEqual(before);
      redis = await startRedis(redis.port);
      const resumed = await cli(['run', input, '--out', out, '--chunk-size', '64KB', '--redis', redis.url, '--resume']);
      expect(resumed.stderr).not.toContain('failed');
      expect(resumed.code).toBe(0);
      expect(resumed.stdout).toMatch(/resumed +reused \d+ scans, [1-9]\d* map tasks/);
      await runEngine(input, join(dir, 'local'), { chunkBytes: 1 << 30 });
      expect(snapshot(out)).toEqual(snapshot(join(dir, 'local')));
    } finally {
      await stopProcess(worker.child);
      await redis.stop();
    }
  });
});

const CAN_UNSHARE = HAVE_REDIS && spawnSync('unshare', ['-m', '--propagation', 'private', 'true']).status === 0;

describe.skipIf(!CAN_UNSHARE)('a worker that cannot see the shared files', () => {
  it('fails the task with a message naming the path it could not see', async () => {
    const dir = tempDir();
    const input = writeInput(dir, 'd.csv', readFileSync(WIKIPEDIA));
    const redis = await startRedis();
    // This worker's view of the file system has an empty directory where the run's files are.
    const worker = startWorker(redis.url, 1, {}, ['unshare', '-m', '--propagation', 'private', 'sh', '-c', `mount -t tmpfs tmpfs '${dir}' && exec "$0" "$@"`]);
    try {
      await until(() => worker.log().includes('taking tasks'), 10_000, 'the worker to start');
      const r = await cli(['run', input, '--out', join(dir, 'w'), '--redis', redis.url]);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(`cannot see ${input}`);
      expect(r.stderr).toContain('every worker must see the input, the region map and the warehouse at the same paths');
    } finally {
      await stopProcess(worker.child);
      await redis.stop();
    }
  });
});

describe.skipIf(!HAVE_REDIS)('a queue with no worker, and jobs that vanish', () => {
  it('says "waiting for workers" after a few seconds; a FLUSHALL of its jobs fails the run (exit 1) with the --resume hint', async () => {
    const redis = await startRedis();
    try {
      const dir = tempDir();
      const run = runInBackground(['run', WIKIPEDIA, '--out', join(dir, 'w'), '--redis', redis.url]);
      await until(() => run.stderr().includes('waiting for workers') || run.child.exitCode !== null, 30_000);
      expect(run.stderr()).toContain(`no \`gdpmr worker --redis ${redis.url}\` has taken a task`);
      expect(spawnSync('redis-cli', ['-u', redis.url, 'FLUSHALL']).status).toBe(0);
      const code = await run.exited;
      expect(code).toBe(1);
      expect(run.stderr()).toContain('vanished from Redis');
      expect(run.stderr()).toContain('--resume');
      expect(run.stderr()).not.toMatch(/\n\s+at /);
    } finally {
      await redis.stop();
    }
  }, 60_000);
});

describe.skipIf(!HAVE_REDIS)('a worker of another gdpmr build', () => {
  it('refuses the coordinator\'s tasks saying both protocols; the run fails (exit 1) in one line instead of loading by other rules', async () => {
    // Another build: this one's files with the task protocol changed, as a newer gdpmr's would be.
    const other = tempDir();
    for (const name of ['bin', 'dist', 'data', 'node_modules', 'package.json']) {
      if (name === 'dist' || name === 'bin') cpSync(join(ROOT, name), join(other, name), { recursive: true });
      else symlinkSync(join(ROOT, name), join(other, name));
    }
    const settings = join(other, 'dist', 'src', 'queue', 'settings.js');
    const { QUEUE_PROTOCOL } = await import('../../src/queue/settings.js');
    writeFileSync(settings, readFileSync(settings, 'utf8').replace(QUEUE_PROTOCOL, 'gdpmr-tasks/99 (from the future)'));
    const redis = await startRedis();
    const worker = spawn(process.execPath, [join(other, 'bin', 'gdpmr.js'), 'worker', '--redis', redis.url], { stdio: 'ignore' });
    try {
      const out = join(tempDir(), 'w');
      const r = await cli(['run', WIKIPEDIA, '--out', out, '--redis', redis.url]);
      expect(r.code).toBe(1);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toContain(`speaks gdpmr-tasks/99 (from the future)`);
      expect(r.stderr).toContain(`was sent as ${QUEUE_PROTOCOL}: run workers of the coordinator's gdpmr version`);
      expect(r.stderr).toContain('nothing was published');
    } finally {
      await stopProcess(worker);
      await redis.stop();
    }
  }, 120_000);
});

describe.skipIf(!HAVE_REDIS)('a Redis that will not serve us says why', () => {
  it('a wrong password, no password, a database it lacks: exit 1 naming each, the password never shown; a URL path that is no database: exit 2', async () => {
    const redis = await startRedis(undefined, ['--requirepass', 'sekret', '--databases', '16']);
    try {
      const url = (auth: string, db = '') => `redis://${auth}127.0.0.1:${redis.port}${db}`;
      const run = (u: string) => cli(['run', WIKIPEDIA, '--out', join(tempDir(), 'w'), '--redis', u]);
      const wrong = await run(url(':hunter2@'));
      expect(wrong.code).toBe(1);
      expect(wrong.stderr).toContain(`Redis at ${url(':***@')} refused the password in --redis (WRONGPASS`);
      expect(wrong.stderr).not.toContain('hunter2');
      const none = await run(url(''));
      expect(none.code).toBe(1);
      expect(none.stderr).toContain(`Redis at ${url('')} needs a password (NOAUTH`);
      const db = await run(url(':sekret@', '/99'));
      expect(db.code).toBe(1);
      expect(db.stderr).toContain('has no such database (ERR DB index is out of range)');
      const worker = await cli(['worker', '--redis', url(':sekret@', '/99')]);
      expect(worker.code).toBe(1);
      expect(worker.stderr).toContain('has no such database');
      const path = await run(url(':sekret@', '/queue'));
      expect(path.code).toBe(2);
      expect(path.stderr).toContain('--redis must end in a database number if in anything');
    } finally {
      await redis.stop();
    }
  }, 120_000);
});

/**
 * A queue planted by hand in a Redis of its own, as a coordinator (alive or dead) would leave
 * it, and one `gdpmr worker` serving that Redis; everything stopped afterwards.
 */
async function withPlantedQueue(
  name: string,
  plant: (q: { connection: import('ioredis').Redis; queue: import('bullmq').Queue; settings: typeof import('../../src/queue/settings.js') }) => Promise<void>,
  check: (q: { connection: import('ioredis').Redis; queue: import('bullmq').Queue; worker: WorkerProcess; settings: typeof import('../../src/queue/settings.js') }) => Promise<void>,
): Promise<void> {
  const redis = await startRedis();
  const { Queue } = await import('bullmq');
  const { Redis } = await import('ioredis');
  const settings = await import('../../src/queue/settings.js');
  const connection = new Redis(redis.url, { maxRetriesPerRequest: null });
  const queue = new Queue(name, { connection });
  let worker: WorkerProcess | undefined;
  try {
    await plant({ connection, queue, settings });
    worker = startWorker(redis.url);
    await check({ connection, queue, worker, settings });
  } finally {
    if (worker !== undefined) await stopProcess(worker.child);
    await queue.close();
    connection.disconnect();
    await redis.stop();
  }
}

describe.skipIf(!HAVE_REDIS)('the queue of a coordinator that died', () => {
  it('is dropped by the first worker to see its alive key expired, its tasks not run', async () => {
    const outDir = join(tempDir(), 'run', 'map', '0');
    await withPlantedQueue(
      'gdpmr-dead-coordinator',
      // What a coordinator SIGKILLed mid-run leaves: its queue announced, a task waiting, no alive key.
      async ({ connection, queue, settings }) => {
        await queue.add('map', { kind: 'map', attempt: 1, outDir, protocol: 'any' }, { jobId: 'map-0' });
        await connection.sadd(settings.ACTIVE_QUEUES_KEY, 'gdpmr-dead-coordinator');
      },
      async ({ connection, queue, worker, settings }) => {
        await until(() => worker.log().includes('dropped run queue gdpmr-dead-coordinator'), 30_000, 'the worker to drop the queue');
        expect(await connection.smembers(settings.ACTIVE_QUEUES_KEY)).toEqual([]);
        expect(await queue.getJobCounts()).toMatchObject({ waiting: 0, active: 0, failed: 0, completed: 0 });
        expect(worker.log()).not.toContain('joined run queue gdpmr-dead-coordinator');
        expect(existsSync(outDir)).toBe(false);
      },
    );
  }, 60_000);
});

describe.skipIf(!HAVE_REDIS)('a task that arrives damaged', () => {
  it('fails naming the key it lacks, without running', async () => {
    await withPlantedQueue(
      'gdpmr-damaged',
      async ({ connection, queue, settings }) => {
        await connection.set(settings.aliveKey('gdpmr-damaged'), '1', 'PX', 60_000);
        await connection.sadd(settings.ACTIVE_QUEUES_KEY, 'gdpmr-damaged');
        await queue.add('map', { kind: 'map', attempt: 1, inputPath: '/x.csv', protocol: settings.QUEUE_PROTOCOL }, { jobId: 'map-0' });
      },
      async ({ queue, worker }) => {
        await until(() => worker.log().includes('joined run queue gdpmr-damaged'), 30_000, 'the worker to join');
        await until(async () => (await (await queue.getJob('map-0'))?.getState()) === 'failed', 10_000, 'the damaged task to fail');
        expect((await queue.getJob('map-0'))?.failedReason).toMatch(/^the task of queue gdpmr-damaged is not a gdpmr task: inputBytes: /);
      },
    );
  }, 60_000);
});

/** Polls a planted job until it failed; its reason. */
async function failedReason(queue: import('bullmq').Queue, id: string): Promise<string> {
  await until(async () => (await (await queue.getJob(id))?.getState()) === 'failed', 30_000, `job ${id} to fail`);
  return (await queue.getJob(id))?.failedReason ?? '';
}

describe.skipIf(!HAVE_REDIS)('a task planted in a run queue with paths outside its run', () => {
  it('a reduce task aimed at a directory elsewhere is refused, the directory untouched', async () => {
    const victim = tempDir();
    writeFileSync(join(victim, 'precious.txt'), 'keep me');
    await withPlantedQueue(
      'gdpmr-injected',
      async ({ connection, queue, settings }) => {
        await connection.set(settings.aliveKey('gdpmr-injected'), '1', 'PX', 60_000);
        await connection.sadd(settings.ACTIVE_QUEUES_KEY, 'gdpmr-injected');
        const task = { kind: 'reduce', attempt: 1, region: 'Asia', runPaths: [], previousDbPath: null, scratchDir: victim, dbPath: join(victim, 'precious.txt'), regionMapPath: join(ROOT, 'data', 'un_regions.csv'), runIds: ['x'], sources: [''] };
        await queue.add('reduce', { ...task, protocol: settings.QUEUE_PROTOCOL }, { jobId: 'reduce-asia' });
      },
      async ({ queue }) => {
        expect(await failedReason(queue, 'reduce-asia')).toMatch(/refuses a task of queue gdpmr-injected: .* is not a run directory of a warehouse/);
        expect(readFileSync(join(victim, 'precious.txt'), 'utf8')).toBe('keep me');
      },
    );
  }, 60_000);
});

describe.skipIf(!HAVE_REDIS)('a worker that sees another file at the input path', () => {
  for (const [what, said, alter] of [
    ['another file of the same size', 'sees another file at', (bytes: Buffer) => Buffer.from(bytes.toString('latin1').replace('Japan', 'Jopan'), 'latin1')],
    // The ends and the mtime kept: only a hash of what the task reads tells it apart.
    ['the same ends and mtime, one digit changed in the middle', 'read other bytes of', (bytes: Buffer) => {
      const out = Buffer.from(bytes);
      const at = out.indexOf('2', Math.floor(out.length / 2));
      out[at] = '9'.charCodeAt(0);
      return out;
    }],
  ] as const) {
    it(`${what}: the run fails (exit 1), nothing published`, async () => {
      const dir = tempDir();
      const input = writeInput(dir, 'd.csv', readFileSync(join(ROOT, 'data', 'imf_weo_2024-10_ngdpd.csv')));
      const other = writeInput(tempDir(), 'other.csv', alter(readFileSync(input)));
      expect(statSync(other).size).toBe(statSync(input).size);
      spawnSync('touch', ['-r', input, other]);
      const redis = await startRedis();
      const worker = startWorker(redis.url, 1, {}, ['unshare', '-m', '--propagation', 'private', 'sh', '-c', `mount --bind '${other}' '${input}' && exec "$0" "$@"`]);
      try {
        await until(() => worker.log().includes('taking tasks'), 10_000, 'the worker to start');
        const r = await cli(['run', input, '--out', join(dir, 'w'), '--redis', redis.url, '--chunk-size', '64KB']);
        expect(r.code, r.stderr).toBe(1);
        expect(r.stderr).toContain(said);
        expect(r.stderr).toContain('nothing was published');
        expect(existsSync(join(dir, 'w', 'manifest.json'))).toBe(false);
      } finally {
        await stopProcess(worker.child);
        await redis.stop();
      }
    }, 120_000);
  }
});

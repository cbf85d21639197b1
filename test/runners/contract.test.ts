// One contract for every runner kind (mrjob's way: one job, several runners, one suite): the
// same warehouse whatever the split, a transient fault retried, a persistent one failing its
// task by name with nothing published, close() twice harmless. The queue case starts its own
// Redis and `gdpmr worker` processes, as the queue tests do.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RUNNER_KINDS, createRunner, type RunnerKind } from '../../src/engine/runners/registry.js';
import { generateDump } from '../../src/generate/dump.js';
import { cleanTempDirs, runEngine, snapshot, tempDir, writeInput } from '../helpers.js';
import { HAVE_REDIS, INSTALL_HINT, startRedis, startWorker, stopProcess, type RedisServer, type WorkerProcess } from '../queue/redis.js';

afterAll(cleanTempDirs);
if (!HAVE_REDIS) console.warn(`skipping the queue runner's contract: ${INSTALL_HINT}`);

/** A dump of a few dozen records: several 2 KB splits, map:1 among them. */
function smallDump(seed: number, bytes = 12_000): string {
  return writeInput(tempDir(), 'dump.csv', [...generateDump(bytes, { seed, territories: 8, identity: seed % 2 === 0 })].join(''));
}

describe.each(RUNNER_KINDS)('the %s runner', (kind: RunnerKind) => {
  const skip = kind === 'queue' && !HAVE_REDIS;
  let redis: RedisServer | undefined;
  beforeAll(async () => {
    if (kind === 'queue' && !skip) redis = await startRedis();
  });
  afterAll(async () => {
    await redis?.stop();
    delete process.env.GDPMR_FAULT;
  });

  /**
   * Runs `body` with GDPMR_FAULT set where this kind's handlers read it: this process (inline,
   * and the pool's threads, which copy the environment when they start) or the queue's workers.
   */
  async function withFault<T>(fault: string | undefined, body: (overrides: Parameters<typeof runEngine>[2]) => Promise<T>): Promise<T> {
    let workers: WorkerProcess[] = [];
    if (fault === undefined) delete process.env.GDPMR_FAULT;
    else process.env.GDPMR_FAULT = fault;
    try {
      if (kind === 'queue') workers = [startWorker((redis as RedisServer).url, 1, fault === undefined ? {} : { GDPMR_FAULT: fault }), startWorker((redis as RedisServer).url, 1, fault === undefined ? {} : { GDPMR_FAULT: fault })];
      return await body({ runner: kind, workers: 2, redisUrl: redis?.url });
    } finally {
      delete process.env.GDPMR_FAULT;
      await Promise.all(workers.map((w) => stopProcess(w.child)));
    }
  }

  it.skipIf(skip)('gives the warehouse of a one-chunk inline run, for random dumps and splits', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 100_000 }), fc.integer({ min: 300, max: 12_000 }), fc.integer({ min: 64, max: 4096 }), async (seed, bytes, chunkBytes) => {
        const input = smallDump(seed, bytes);
        const dir = tempDir();
        await runEngine(input, join(dir, 'whole'), { chunkBytes: 1 << 30 });
        await withFault(undefined, (o) => runEngine(input, join(dir, 'split'), { ...o, chunkBytes }));
        expect(snapshot(join(dir, 'split'))).toEqual(snapshot(join(dir, 'whole')));
      }),
      { numRuns: kind === 'queue' ? 3 : 6 },
    );
  }, 240_000);

  it.skipIf(skip)('retries a task whose first attempt fails: the run succeeds, its log names the failed attempt', async () => {
    const input = smallDump(7);
    const dir = tempDir();
    await runEngine(input, join(dir, 'clean'), { chunkBytes: 2048 });
    const outcome = await withFault('map:1:throw', (o) => runEngine(input, join(dir, 'faulty'), { ...o, chunkBytes: 2048 }));
    expect(snapshot(join(dir, 'faulty'))).toEqual(snapshot(join(dir, 'clean')));
    const failed = readFileSync(outcome.logPath, 'utf8').split('\n').filter((l) => l.includes('task attempt failed')).map((l) => JSON.parse(l));
    expect(failed).toEqual([expect.objectContaining({ task: 'map:1', attempt: 1, will_retry: true, err: expect.stringContaining('injected fault map:1:throw on attempt 1') })]);
  }, 120_000);

  it.skipIf(skip)('fails a task that fails every attempt, naming it; nothing is published', async () => {
    const input = smallDump(8);
    const out = join(tempDir(), 'w');
    await expect(withFault('map:1:throw:3', (o) => runEngine(input, out, { ...o, chunkBytes: 2048 }))).rejects.toThrow(
      /^task map:1 failed after 3 attempts; last error: injected fault map:1:throw on attempt 3; nothing was published/,
    );
  }, 120_000);

  it.skipIf(skip)('close() twice is harmless', async () => {
    const runner = await createRunner(kind, { slots: 1, chunkBytes: 1 << 20, redisUrl: redis?.url, queueName: `gdpmr-contract-${process.pid}` });
    await runner.close();
    await runner.close();
  });
});

// `gdpmr worker --redis URL`: takes tasks from the queues of runs in progress and runs them on
// a pool of worker threads (the same handlers the local pool runs), until SIGTERM: then it
// finishes the tasks it holds and exits 0.
import { hostname } from 'node:os';
import type { Job, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { defineCommand, positiveInt, redisUrl } from '../command-line.js';
import { DEFAULTS, LIMITS } from '../config.js';
import type { Task } from '../engine/messages.js';
import type { Output } from '../output.js';
import { version } from '../version.js';

export const COMMAND = defineCommand({
  name: 'gdpmr worker',
  synopsis: '--redis URL [--concurrency N]',
  description: `Runs the tasks of every \`gdpmr run --redis URL\` in progress, N at a time, until stopped.
SIGTERM or SIGINT: finishes the tasks in hand, then exits 0. Every worker must see the input,
the region map and the warehouse at the same paths as the run.`,
  flags: {
    redis: { kind: redisUrl, required: 'gdpmr worker needs --redis URL, e.g. redis://127.0.0.1:6379', help: 'the Redis the coordinators queue their tasks in' },
    concurrency: {
      kind: positiveInt('a whole number of tasks at once, at least 1', LIMITS.workers, '4 × the cores'),
      default: Math.min(DEFAULTS.workers, LIMITS.workers),
      defaultText: `the number of cores, ${Math.min(DEFAULTS.workers, LIMITS.workers)}`,
      help: 'tasks at once (worker threads)',
    },
  },
});

/** Heap per worker thread as for the largest split a run takes by default. */
const HEAP_CHUNK_BYTES = 64 * 1024 * 1024;
const POLL_MS = 500;


export async function workerCommand(argv: string[], out: Output): Promise<number> {
  const o = COMMAND.parse(argv);
  if (o === null) {
    out.stdout(COMMAND.help());
    return 0;
  }
  const say = (message: string): void => out.stderr(`gdpmr worker ${hostname()}:${process.pid}: ${message}`);
  // The stop signals are caught before anything slow (loading BullMQ, reaching Redis): a
  // worker stopped at any moment exits 0, with nothing in hand or after finishing it.
  let stopping = false;
  const stopped = new Promise<void>((resolve) => {
    const stop = (signal: string): void => {
      if (stopping) return;
      stopping = true;
      say(`${signal}: finishing the tasks in hand`);
      resolve();
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
  });
  // ioredis rejects the commands still queued on a connection that closes, and BullMQ does not
  // catch every one of them when a worker closes (taskforcesh/bullmq#3546): after a stop that is
  // the shutdown itself, not a failure. Any other stray rejection ends the worker with its message.
  process.on('unhandledRejection', (reason) => {
    const message = reason instanceof Error ? reason.message : String(reason);
    if (stopping && message === 'Connection is closed.') return;
    say(`failed: ${message}`);
    process.exit(1);
  });
  const [{ Queue, Worker }, { PoolRunner }, { checkVisible }, { ACTIVE_QUEUES_KEY, aliveKey, ALIVE_MS, connectRedis, LOCK_MS, MAX_STALLED, QUEUE_PROTOCOL, shownUrl, STALLED_CHECK_MS }] = await Promise.all([
    import('bullmq'),
    import('../engine/pool-runner.js'),
    import('../queue/visible-paths.js'),
    import('../queue/settings.js'),
  ]);
  const abandon = new AbortController();
  void stopped.then(() => abandon.abort());
  const redis = await connectRedis(o.redis, abandon.signal);
  if (redis === null) {
    say('stopped before taking any task');
    return 0;
  }
  const pool = new PoolRunner(o.concurrency, HEAP_CHUNK_BYTES);
  const workers = new Map<string, { worker: Worker; connection: Redis }>();
  const process_ = async (job: Job<Task & { protocol?: string }>): Promise<unknown> => {
    // A coordinator of another build means other rules: refuse, saying both, rather than
    // publish figures a local run would not.
    if (job.data.protocol !== QUEUE_PROTOCOL) {
      throw new Error(`worker on ${hostname()} speaks ${QUEUE_PROTOCOL} (gdpmr ${version()}), but the task of queue ${job.queueName} was sent as ${job.data.protocol ?? 'an older protocol'}: run workers of the coordinator's gdpmr version`);
    }
    const { protocol: _, ...task } = job.data;
    checkVisible(task as Task);
    return pool.run(task as Task);
  };
  say(`taking tasks from Redis at ${shownUrl(o.redis)}, ${o.concurrency} at a time`);
  // New runs announce their queues in a set; a queue that leaves it is a finished run.
  const follow = async (): Promise<void> => {
    let names: string[];
    try {
      names = await redis.smembers(ACTIVE_QUEUES_KEY);
    } catch {
      return; // Redis away for a moment: ioredis reconnects, and the next poll catches up.
    }
    // A queue whose coordinator stopped renewing its alive key: the coordinator died (a
    // --resume makes a fresh queue). Dropped, so that no worker runs its tasks for nobody.
    const dead: string[] = [];
    for (const name of names) {
      try {
        if ((await redis.exists(aliveKey(name))) === 0) dead.push(name);
      } catch {
        return;
      }
    }
    for (const name of dead) {
      const queue = new Queue(name, { connection: redis.duplicate() });
      try {
        if ((await redis.srem(ACTIVE_QUEUES_KEY, name)) === 1) {
          await queue.obliterate({ force: true });
          say(`dropped run queue ${name}: its coordinator stopped answering ${ALIVE_MS / 1000} s ago`);
        }
      } catch {
        // another worker dropped it first
      } finally {
        await queue.close().catch(() => undefined);
        await (await queue.client).quit().catch(() => undefined);
      }
    }
    for (const name of names) {
      // A stop may have come while Redis answered: no new queue then.
      if (workers.has(name) || stopping || dead.includes(name)) continue;
      // BullMQ leaves a connection it is given open on close(): ours to end.
      const connection = redis.duplicate();
      const worker = new Worker<Task>(name, process_, {
        connection,
        concurrency: o.concurrency,
        lockDuration: LOCK_MS,
        stalledInterval: STALLED_CHECK_MS,
        maxStalledCount: MAX_STALLED,
      });
      worker.on('error', () => undefined);
      workers.set(name, { worker, connection });
      say(`joined run queue ${name}`);
    }
    for (const [name, w] of workers) {
      if (!names.includes(name) || dead.includes(name)) {
        workers.delete(name);
        void closeQueue(w);
      }
    }
  };
  // quit, not disconnect: replies still on their way are read before the connection goes.
  const closeQueue = async (w: { worker: Worker; connection: Redis }): Promise<void> => {
    await w.worker.close().catch((error: Error) => say(`closing a run queue: ${error.message}`));
    await w.connection.quit().catch(() => w.connection.disconnect());
  };
  let following = follow();
  const timer = setInterval(() => {
    following = following.then(follow).catch((error: Error) => say(`could not follow the run queues: ${error.message}`));
  }, POLL_MS);
  await stopped;
  clearInterval(timer);
  await following;
  await Promise.all([...workers.values()].map(closeQueue));
  await pool.close();
  await redis.quit().catch(() => redis.disconnect());
  say('stopped');
  return 0;
}

// `gdpmr worker --redis URL`: takes tasks from the queues of runs in progress and runs them on
// a pool of worker threads (the same handlers the local pool runs), until SIGTERM: then it
// finishes the tasks it holds and exits 0.
import { hostname } from 'node:os';
import { defineCommand, positiveInt, redisUrl } from '../command-line.js';
import { DEFAULTS, LIMITS } from '../defaults.js';
import type { Output } from '../output.js';

export const COMMAND = defineCommand({
  name: 'gdpmr worker',
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


/** How long a stopping worker waits for an unreachable Redis before it gives up its tasks. */
const REDIS_AWAY_MS = 3000;

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
  const [{ serveQueues }, { connectRedis }] = await Promise.all([import('../queue/worker-loop.js'), import('../queue/settings.js')]);
  const abandon = new AbortController();
  void stopped.then(() => abandon.abort());
  const redis = await connectRedis(o.redis, abandon.signal);
  if (redis === null) {
    say('stopped before taking any task');
    return 0;
  }
  // A drain needs Redis (to take the results of the tasks in hand): with Redis away it could wait
  // for ever, so after a stop the worker gives up once Redis has been unreachable for a few
  // seconds (the tasks in hand run again elsewhere: their locks lapse). A second signal kills it.
  void stopped.then(() => {
    let awaySince: number | null = null;
    const watch = setInterval(() => {
      if (redis.status === 'ready') awaySince = null;
      else if (awaySince === null) awaySince = Date.now();
      else if (Date.now() - awaySince >= REDIS_AWAY_MS) {
        say(`Redis at ${o.redis} has been unreachable for ${REDIS_AWAY_MS / 1000} s: stopping without the tasks in hand (their runs give them to another worker)`);
        process.exit(0);
      }
    }, 250);
    watch.unref();
  });
  await serveQueues(redis, { url: o.redis, concurrency: o.concurrency }, stopped, () => stopping, say);
  await redis.quit().catch(() => redis.disconnect());
  say('stopped');
  return 0;
}

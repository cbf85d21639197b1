// A `gdpmr worker`'s work: follow the queues of the runs in progress (joining new ones,
// leaving finished ones, dropping those whose coordinator died), check each task as it arrives,
// and run it on a pool of worker threads, until stopped.
import { hostname } from 'node:os';
import { Queue, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { TaskSchema, type Task } from '../engine/messages.js';
import { PoolRunner } from '../engine/runners/pool.js';
import { version } from '../version.js';
import { ACTIVE_QUEUES_KEY, aliveKey, ALIVE_MS, LOCK_MS, MAX_STALLED, QUEUE_PROTOCOL, shownUrl, STALLED_CHECK_MS } from './settings.js';
import { checkTask } from './task-guard.js';
import { checkVisible } from './visible-paths.js';

/** Heap per worker thread as for the largest split a run takes by default. */
const HEAP_CHUNK_BYTES = 64 * 1024 * 1024;
/** How often the set of run queues is read. */
const POLL_MS = 500;

/** Serves every run queue until `stopped` resolves; then finishes the tasks in hand. */
export async function serveQueues(redis: Redis, o: { url: string; concurrency: number }, stopped: Promise<void>, isStopping: () => boolean, say: (message: string) => void): Promise<void> {
  const pool = new PoolRunner(o.concurrency, HEAP_CHUNK_BYTES);
  const workers = new Map<string, { worker: Worker; connection: Redis }>();
  const process_ = async (job: Job<Task & { protocol?: string }>): Promise<unknown> => {
    // A coordinator of another build means other rules: refuse, saying both, rather than
    // publish figures a local run would not.
    if (job.data.protocol !== QUEUE_PROTOCOL) {
      throw new Error(`worker on ${hostname()} speaks ${QUEUE_PROTOCOL} (gdpmr ${version()}), but the task of queue ${job.queueName} was sent as ${job.data.protocol ?? 'an older protocol'}: run workers of the coordinator's gdpmr version`);
    }
    const { protocol: _, ...data } = job.data;
    // Checked on arrival: a damaged or foreign job fails naming the key, not inside the task.
    const checked = TaskSchema.safeParse(data);
    if (!checked.success) {
      const issue = checked.error.issues[0];
      throw new Error(`the task of queue ${job.queueName} is not a gdpmr task: ${issue.path.join('.') || 'the job'}: ${issue.message}`);
    }
    const task = checked.data as Task;
    checkVisible(task);
    checkTask(task, job.queueName);
    return pool.run(task);
  };
  say(`taking tasks from Redis at ${shownUrl(o.url)}, ${o.concurrency} at a time`);
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
    let alive: Array<string | null>;
    try {
      // One round trip for every queue's alive key, not one per queue each poll.
      alive = names.length === 0 ? [] : await redis.mget(names.map(aliveKey));
    } catch {
      return;
    }
    const dead = names.filter((_, i) => alive[i] === null);
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
      if (workers.has(name) || isStopping() || dead.includes(name)) continue;
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
}

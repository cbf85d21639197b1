// Runs tasks on a BullMQ queue in Redis, taken by `gdpmr worker` processes on any machine that
// sees the same files. The coordinator enqueues the same plain-data tasks as the other runners
// and checks results with the same zod schemas; retries stay the coordinator's
// (runWithRetries), each attempt one job, while BullMQ's stalled check re-runs the job of a
// worker that died.
import { randomUUID } from 'node:crypto';
import { Queue, QueueEvents } from 'bullmq';
import type { Redis } from 'ioredis';
import { GdpmrError } from '../errors.js';
import { RESULT_SCHEMAS, taskName, type ResultOf, type Task } from '../engine/messages.js';
import type { TaskRunner } from '../engine/runners/runner.js';
import type { RunnerOptions } from '../engine/runners/runner.js';
import { ACTIVE_QUEUES_KEY, aliveKey, ALIVE_MS, connectRedis, LOST_AFTER_MS, LOST_JOBS_CHECK_MS, NO_WORKER_NOTICE_MS, QUEUE_PROTOCOL, shownUrl } from './settings.js';

interface Waiting {
  resolve(value: unknown): void;
  reject(error: Error): void;
}

export class QueueRunner implements TaskRunner {
  readonly kind = 'queue';
  private readonly waiting = new Map<string, Waiting>();
  private lost: GdpmrError | undefined;
  private readonly watchdog: NodeJS.Timeout;
  private lastAnswer = Date.now();
  /** When the first task went in; cleared once a worker took one. */
  private firstEnqueued: number | undefined;
  private anyTaken = false;
  private noticedNoWorker = false;
  /** Jobs found missing from Redis at the last check: missing twice, they are lost. */
  private missing = new Set<string>();
  private lastJobsCheck = Date.now();
  private notice: (message: string) => void = () => undefined;

  private constructor(
    readonly slots: number,
    private readonly url: string,
    private readonly name: string,
    private readonly redis: Redis,
    private readonly queue: Queue,
    private readonly events: QueueEvents,
    private readonly connections: Redis[],
  ) {
    events.on('active', () => (this.anyTaken = true));
    events.on('completed', ({ jobId, returnvalue }) => this.settle(jobId, undefined, returnvalue));
    events.on('failed', ({ jobId, failedReason }) => this.settle(jobId, failedReason || 'the task failed', undefined));
    // Redis going away mid-run must end the run, not leave it waiting for ever.
    this.watchdog = setInterval(() => {
      // Renewing the queue's alive key doubles as the ping.
      this.redis.set(aliveKey(this.name), String(process.pid), 'PX', ALIVE_MS).then(
        () => (this.lastAnswer = Date.now()),
        () => undefined,
      );
      if (Date.now() - this.lastAnswer > LOST_AFTER_MS) this.fail(new GdpmrError('RUNNER_FAILED', `lost Redis at ${this.url} (no answer for ${LOST_AFTER_MS / 1000} s)`));
      // A run with no worker would wait for ever, saying nothing.
      if (!this.anyTaken && !this.noticedNoWorker && this.firstEnqueued !== undefined && Date.now() - this.firstEnqueued > NO_WORKER_NOTICE_MS) {
        this.noticedNoWorker = true;
        this.notice(`waiting for workers: no \`gdpmr worker --redis ${this.url}\` has taken a task of queue ${this.name} for ${NO_WORKER_NOTICE_MS / 1000} s; start one (on any machine that sees the same files)`);
      }
      if (Date.now() - this.lastJobsCheck > LOST_JOBS_CHECK_MS) {
        this.lastJobsCheck = Date.now();
        void this.checkJobsStillThere();
      }
    }, 1_000);
    this.watchdog.unref();
  }

  static async connect(o: RunnerOptions): Promise<QueueRunner> {
    const url = o.redisUrl as string;
    const redis = await connectRedis(url);
    // BullMQ leaves connections it is given open on close(): they are ours to end.
    const connections = [redis.duplicate(), redis.duplicate()];
    const events = new QueueEvents(o.queueName, { connection: connections[0] });
    const queue = new Queue(o.queueName, { connection: connections[1] });
    await Promise.all([events.waitUntilReady(), queue.waitUntilReady()]);
    // A resumed run reuses its queue's name: jobs of the interrupted attempt are dropped first.
    await queue.obliterate({ force: true });
    // Announced only once its events are listened to: no result can be missed; alive before
    // announced, so that no worker takes it for a dead coordinator's.
    await redis.set(aliveKey(o.queueName), String(process.pid), 'PX', ALIVE_MS);
    await redis.sadd(ACTIVE_QUEUES_KEY, o.queueName);
    // The URL as messages show it: a password never reaches stderr or the run's log.
    const runner = new QueueRunner(o.slots, shownUrl(url), o.queueName, redis, queue, events, connections);
    if (o.notice !== undefined) runner.notice = o.notice;
    return runner;
  }

  /**
   * Jobs the coordinator waits for must be in Redis (waiting, active, or just finished, whose
   * event is on its way). Missing at two checks in a row, they were lost (a FLUSHALL, a
   * Redis restarted without persistence): the run fails, and --resume redoes them.
   */
  private async checkJobsStillThere(): Promise<void> {
    const ids = [...this.waiting.keys()];
    try {
      const gone = new Set<string>();
      for (const id of ids) if ((await this.queue.getJob(id)) === undefined && this.waiting.has(id)) gone.add(id);
      const lost = [...gone].filter((id) => this.missing.has(id));
      this.missing = gone;
      if (lost.length > 0) {
        this.fail(new GdpmrError('RUNNER_FAILED', `${lost.length} task${lost.length === 1 ? '' : 's'} of queue ${this.name} vanished from Redis at ${this.url} (was it flushed or restarted?), e.g. ${lost[0]}`));
      }
    } catch {
      // Redis not answering: the ping watchdog decides.
    }
  }

  private settle(jobId: string, failure: string | undefined, value: string | undefined): void {
    const w = this.waiting.get(jobId);
    if (w === undefined) return;
    this.waiting.delete(jobId);
    if (failure !== undefined) w.reject(new Error(failure));
    else {
      try {
        w.resolve(typeof value === 'string' ? JSON.parse(value) : value);
      } catch (error) {
        w.reject(error as Error);
      }
    }
  }

  private fail(error: GdpmrError): void {
    if (this.lost !== undefined) return;
    this.lost = error;
    for (const w of this.waiting.values()) w.reject(error);
    this.waiting.clear();
  }

  async run<T extends Task>(task: T): Promise<ResultOf[T['kind']]> {
    if (this.lost !== undefined) throw this.lost;
    const jobId = `${taskName(task).replace(':', '-')}-a${task.attempt}-${randomUUID().slice(0, 8)}`;
    const result = new Promise<unknown>((resolve, reject) => this.waiting.set(jobId, { resolve, reject }));
    try {
      // One attempt per job: a task that throws comes back to runWithRetries.
      await this.queue.add(task.kind, { ...task, protocol: QUEUE_PROTOCOL }, { jobId, attempts: 1, removeOnComplete: true, removeOnFail: true });
      if (this.firstEnqueued === undefined) this.firstEnqueued = Date.now();
    } catch (error) {
      this.waiting.delete(jobId);
      throw this.lost ?? new GdpmrError('RUNNER_FAILED', `could not enqueue ${taskName(task)} on Redis at ${this.url} (${(error as Error).message})`);
    }
    return RESULT_SCHEMAS[task.kind].parse(await result) as ResultOf[T['kind']];
  }

  async close(): Promise<void> {
    clearInterval(this.watchdog);
    const quietly = async (step: () => Promise<unknown>): Promise<void> => {
      try {
        await Promise.race([step(), new Promise((r) => setTimeout(r, 2_000).unref())]);
      } catch {
        // Redis is gone: nothing left to tidy there.
      }
    };
    if (this.lost === undefined) {
      await quietly(() => this.redis.srem(ACTIVE_QUEUES_KEY, this.name));
      await quietly(() => this.redis.del(aliveKey(this.name)));
      await quietly(() => this.queue.obliterate({ force: true }));
    }
    await quietly(() => this.events.close());
    await quietly(() => this.queue.close());
    for (const c of [...this.connections, this.redis]) c.disconnect();
  }
}

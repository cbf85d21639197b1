// What the coordinator and `gdpmr worker` processes agree on, in one place: how a run's queue
// is announced, how jobs are locked, and how long Redis may take to answer.
import { Redis, type RedisOptions } from 'ioredis';
import { GdpmrError } from '../errors.js';
import { shownUrl } from '../format.js';

export { shownUrl };

/**
 * What a task means between a coordinator and its workers: the fact-line format and the
 * warehouse format. A worker of another build would map or reduce by other rules and publish
 * figures a local run would not: it refuses the task instead, saying both versions.
 */
export const QUEUE_PROTOCOL = 'gdpmr-tasks/3 (fact lines 4, warehouse 2)';

/** How long a task may wait untaken before the coordinator says no worker has taken it. */
export const NO_WORKER_NOTICE_MS = 5_000;
/** How often the coordinator checks that the jobs it waits for are still in Redis. */
export const LOST_JOBS_CHECK_MS = 5_000;

/** A Redis set of the queues of runs in progress: workers take tasks from each. */
export const ACTIVE_QUEUES_KEY = 'gdpmr:queues';

/**
 * A coordinator keeps this key of its queue alive (renewed every second, expiring after
 * ALIVE_MS): a queue whose key has expired belongs to a coordinator that died, and the first
 * worker to notice drops it instead of running its tasks for nobody.
 */
export const aliveKey = (queueName: string): string => `gdpmr:alive:${queueName}`;
export const ALIVE_MS = 30_000;

/**
 * A job's lock: renewed every LOCK_MS / 2 by the worker holding it. A worker that dies stops
 * renewing; the next stalled check (every STALLED_CHECK_MS, by any live worker) moves the job
 * back to wait, so a dead worker's task runs again within about LOCK_MS + STALLED_CHECK_MS.
 * Tasks run in worker threads, so a long task never blocks the renewals.
 */
export const LOCK_MS = 5_000;
export const STALLED_CHECK_MS = 3_000;
/** Stalls of one job before BullMQ fails it; the coordinator's retries take over from there. */
export const MAX_STALLED = 2;

/** Redis must answer within this at start (SPEC §11: exit 1 within 15 s). */
export const CONNECT_DEADLINE_MS = 10_000;
/** Redis silent this long in the middle of a run: the run fails (and can be resumed). */
export const LOST_AFTER_MS = 8_000;

export function redisOptions(): RedisOptions {
  return {
    // BullMQ's blocking commands need unlimited retries per request; reconnects are bounded
    // by our own deadlines instead.
    maxRetriesPerRequest: null,
    enableReadyCheck: true,
    connectTimeout: 3_000,
    retryStrategy: (times: number) => Math.min(200 * times, 1_000),
    lazyConnect: true,
  };
}

/**
 * Connects and pings, or fails naming the URL before the deadline. An abort on the way (a
 * worker stopped while it connects) gives null, with the connection closed.
 */
export async function connectRedis(url: string): Promise<Redis>;
export async function connectRedis(url: string, abort: AbortSignal): Promise<Redis | null>;
export async function connectRedis(url: string, abort?: AbortSignal): Promise<Redis | null> {
  const redis = new Redis(url, redisOptions());
  let lastError = 'no answer';
  redis.on('error', (error: Error) => {
    // Once Redis has said why (a wrong password), the closes that follow do not hide it.
    if (!/^Connection is closed/.test(error.message) || lastError === 'no answer') lastError = error.message;
  });
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(lastError)), CONNECT_DEADLINE_MS);
    timer.unref();
  });
  const aborted = new Promise<null>((resolve) => {
    if (abort?.aborted) resolve(null);
    abort?.addEventListener('abort', () => resolve(null), { once: true });
  });
  try {
    // ioredis selects a database the URL names without failing when Redis has no such one:
    // selected here, so that /99 on a Redis of 16 databases fails instead of using database 0.
    const db = databaseOf(url);
    const connected = redis.connect().then(() => redis.ping()).then(() => (db === 0 ? undefined : redis.select(db)));
    // A connection abandoned by a deadline or an abort may still fail later: not unhandled.
    connected.catch(() => undefined);
    if ((await Promise.race([connected.then(() => redis), deadline, aborted])) === null) {
      redis.disconnect();
      // disconnect() only half-closes the socket: a server that never answers would hold the
      // process for seconds more.
      redis.stream?.destroy();
      return null;
    }
    return redis;
  } catch (error) {
    redis.disconnect();
    const said = (error as Error).message;
    const reason = /^Connection is closed/.test(said) || said === '' ? lastError : said;
    throw new GdpmrError('RUNNER_FAILED', `Redis at ${shownUrl(url)} ${redisRefusal(reason)}`);
  } finally {
    clearTimeout(timer);
  }
}


/** The database a Redis URL names (redis://host:port/N), 0 when it names none. */
export function databaseOf(url: string): number {
  const path = new URL(url).pathname.replace(/^\//, '');
  return path === '' ? 0 : Number(path);
}

/** Why Redis would not serve us, in the user's terms. */
function redisRefusal(reason: string): string {
  if (/WRONGPASS|invalid password|invalid username-password/i.test(reason)) return `refused the password in --redis (${reason}); check it`;
  if (/NOAUTH|Authentication required/i.test(reason)) return `needs a password (${reason}): give it in --redis as redis://:PASSWORD@HOST:PORT`;
  if (/DB index is out of range/i.test(reason)) return `has no such database (${reason}); --redis must name one of its databases (redis://HOST:PORT/N, N from 0 to its databases - 1)`;
  return `is unreachable (${reason}); start it, or check --redis`;
}

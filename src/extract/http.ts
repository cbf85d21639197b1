// Fetching a source: Node's fetch with a per-request timeout (the body included), up to
// MAX_ATTEMPTS on network errors, timeouts, 429 and 5xx with exponential backoff and jitter,
// honouring Retry-After; never on another 4xx. Every attempt is logged.
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { closeSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { GdpmrError } from '../errors.js';
import { writeFully } from '../fs.js';
import { shownUrl } from '../format.js';
import { version } from '../version.js';

export const MAX_ATTEMPTS = 3;
/** The first retry waits about this long; each later one twice as long. */
const BACKOFF_MS = 500;
/** A Retry-After longer than this is not waited for: the fetch fails instead. */
const MAX_RETRY_AFTER_MS = 120_000;
/**
 * The most a response body may hold, decoded (a gzip body counts as what it inflates to):
 * --max-bytes. A WEO database file is ~15 MB and the Wikipedia page under 1 MB; an endless or
 * exploding body must fail naming the cap, not take the machine's memory.
 */
export const DEFAULT_MAX_BYTES = 256 * 1024 * 1024;

export class TooLarge extends GdpmrError {}

/**
 * Reads a body chunk by chunk, stopping (and cancelling the download) past `maxBytes`: into
 * memory, or with `toFile` into that file (created afresh for each attempt), so that several
 * large bodies are never held at once.
 */
async function readCapped(response: Response, url: string, maxBytes: number, toFile?: string): Promise<{ bytes: Buffer; byteCount: number }> {
  const chunks: Uint8Array[] = [];
  let total = 0;
  const fd = toFile === undefined ? null : openSync(toFile, 'w');
  try {
    if (response.body === null) return { bytes: Buffer.alloc(0), byteCount: 0 };
    const reader = response.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.length;
      if (total > maxBytes) {
        await reader.cancel().catch(() => undefined);
        throw new TooLarge('FETCH_FAILED', `fetching ${shownUrl(url)} failed: the response is larger than --max-bytes ${maxBytes} bytes (decoded); nothing was written. Raise --max-bytes if the source really is that large`);
      }
      if (fd === null) chunks.push(value);
      else writeFully(fd, value, toFile as string);
    }
    return { bytes: fd === null ? Buffer.concat(chunks, total) : Buffer.alloc(0), byteCount: total };
  } finally {
    if (fd !== null) closeSync(fd);
  }
}

export interface Fetched {
  url: string;
  status: number;
  /** The body; empty when it was written to a file (fetchSource's toFile). */
  bytes: Buffer;
  byteCount: number;
  /** The response's Content-Type, for the charset of a page. */
  contentType: string | null;
  retrievedAt: string;
  attempts: number;
}

export function userAgent(): string {
  // Wikimedia's policy asks for a client name, version and a way to reach its operator.
  const contact = process.env.GDPMR_CONTACT ? `; ${process.env.GDPMR_CONTACT}` : '';
  return `gdpmr/${version()} (nominal-GDP MapReduce ETL; Node.js ${process.version}${contact})`;
}

/** Retry-After as milliseconds (seconds, or an HTTP date); undefined when it is no delay (negative, garbage). */
export function retryAfterMs(header: string | null): number | undefined {
  if (header === null) return undefined;
  const text = header.trim();
  if (/^[0-9]+(\.[0-9]+)?$/.test(text)) return Number(text) * 1000;
  // A date is spelled with letters (Wed, 21 Oct 2015 07:28:00 GMT); "-5" is no date.
  const at = /[A-Za-z]/.test(text) ? Date.parse(text) : NaN;
  return Number.isFinite(at) ? Math.max(0, at - Date.now()) : undefined;
}

/** How many redirects a fetch follows before it fails (browsers stop at 20; sources need 1 or 2). */
const MAX_REDIRECTS = 5;

/**
 * fetch, following redirects ourselves: only to http(s) (a redirect to file:// or elsewhere is
 * refused, not retried), at most MAX_REDIRECTS (a loop fails at once naming it).
 */
async function fetchFollowing(url: string, init: RequestInit): Promise<Response> {
  let at = url;
  for (let hop = 0; ; hop++) {
    const response = await fetch(at, { ...init, redirect: 'manual' });
    const location = response.headers.get('location');
    if (response.status < 300 || response.status >= 400 || response.status === 304 || location === null) return response;
    await response.body?.cancel().catch(() => undefined);
    let next: URL | undefined;
    try {
      next = new URL(location, at);
    } catch {
      next = undefined;
    }
    if (next === undefined || !['http:', 'https:'].includes(next.protocol)) {
      throw new GdpmrError('FETCH_FAILED', `fetching ${shownUrl(url)} failed: ${at} redirects to ${JSON.stringify(location.slice(0, 200))}, which is not an http(s) address (not retried)`);
    }
    if (hop === MAX_REDIRECTS) throw new GdpmrError('FETCH_FAILED', `fetching ${shownUrl(url)} failed: more than ${MAX_REDIRECTS} redirects (a loop? the last one to ${next.href.slice(0, 200)}; not retried)`);
    at = next.href;
  }
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

class Retryable extends Error {
  constructor(
    message: string,
    readonly waitMs?: number,
  ) {
    super(message);
  }
}

/**
 * A response as `gdpmr refresh` keeps it: every fetch of an extract is recorded (its bytes go to
 * the archive), and `gdpmr rebuild` replays the recorded responses in order instead of fetching,
 * so that an extract runs the same code on the same bytes either way.
 */
export interface FetchTap {
  record?(response: { requested: string; url: string; status: number; contentType: string | null; bytes: Buffer }): void;
  replay?(url: string): { url: string; status: number; contentType: string | null; bytes: Buffer };
}

let tap: FetchTap | null = null;

/** Runs `work` with every fetchSource recorded or replayed through `t`. */
export async function withFetchTap<T>(t: FetchTap, work: () => Promise<T>): Promise<T> {
  const before = tap;
  tap = t;
  try {
    return await work();
  } finally {
    tap = before;
  }
}

export async function fetchSource(url: string, timeoutMs: number, log: Logger, maxBytes = DEFAULT_MAX_BYTES, toFile?: string): Promise<Fetched> {
  if (tap?.replay !== undefined) {
    const r = tap.replay(url);
    if (toFile !== undefined) writeFileSync(toFile, r.bytes);
    return { url: r.url, status: r.status, bytes: toFile === undefined ? r.bytes : Buffer.alloc(0), byteCount: r.bytes.length, contentType: r.contentType, retrievedAt: new Date().toISOString(), attempts: 1 };
  }
  const fetched = await fetchLive(url, timeoutMs, log, maxBytes, toFile);
  tap?.record?.({ requested: url, url: fetched.url, status: fetched.status, contentType: fetched.contentType, bytes: toFile === undefined ? fetched.bytes : readFileSync(toFile) });
  return fetched;
}

async function fetchLive(url: string, timeoutMs: number, log: Logger, maxBytes: number, toFile?: string): Promise<Fetched> {
  let lastError = '';
  let attempts = 0;
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
    attempts = attempt;
    const id = randomUUID();
    const t0 = performance.now();
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(new Error(`no complete answer within ${timeoutMs / 1000} s`)), timeoutMs);
    let status = 0;
    try {
      const response = await fetchFollowing(url, { signal: controller.signal, headers: { 'user-agent': userAgent(), accept: '*/*' } });
      status = response.status;
      if (status === 429 || status >= 500) {
        await response.body?.cancel().catch(() => undefined);
        const header = response.headers.get('retry-after');
        const wait = retryAfterMs(header);
        if (wait !== undefined && wait > MAX_RETRY_AFTER_MS) {
          throw new GdpmrError('FETCH_FAILED', `fetching ${shownUrl(url)} failed: HTTP ${status}, and the server asks to wait ${Math.round(wait / 1000)} s (Retry-After: ${header?.slice(0, 60)}), more than the ${MAX_RETRY_AFTER_MS / 1000} s gdpmr waits; try again later`);
        }
        throw new Retryable(`HTTP ${status}${header !== null && wait === undefined ? ` (Retry-After ${JSON.stringify(header.slice(0, 60))} is no delay: the usual backoff was used)` : ''}`, wait);
      }
      if (status < 200 || status >= 300) {
        await response.body?.cancel().catch(() => undefined);
        log.warn({ request_id: id, url: shownUrl(url), attempt, status, ms: Math.round(performance.now() - t0) }, 'request refused');
        throw new GdpmrError('FETCH_FAILED', `fetching ${shownUrl(url)} failed: HTTP ${status} (not retried: the server refused the request)`);
      }
      const { bytes, byteCount } = await readCapped(response, url, maxBytes, toFile);
      log.info({ request_id: id, url: shownUrl(url), attempt, status, bytes: byteCount, ms: Math.round(performance.now() - t0) }, 'request done');
      return { url: response.url || url, status, bytes, byteCount, contentType: response.headers.get('content-type'), retrievedAt: new Date().toISOString(), attempts: attempt };
    } catch (error) {
      if (error instanceof GdpmrError) throw error;
      const reason = controller.signal.aborted ? String((controller.signal.reason as Error)?.message ?? 'timed out') : error instanceof Retryable ? error.message : describeFetchError(error);
      lastError = reason;
      const waitMs = error instanceof Retryable && error.waitMs !== undefined ? error.waitMs : BACKOFF_MS * 2 ** (attempt - 1) + Math.random() * BACKOFF_MS;
      const willRetry = attempt < MAX_ATTEMPTS;
      log.warn({ request_id: id, url: shownUrl(url), attempt, status: status || null, err: reason, ms: Math.round(performance.now() - t0), will_retry: willRetry, wait_ms: willRetry ? Math.round(waitMs) : null }, 'request failed');
      if (!willRetry) break;
      await sleep(waitMs);
    } finally {
      clearTimeout(timer);
    }
  }
  throw new GdpmrError('FETCH_FAILED', `fetching ${shownUrl(url)} failed after ${attempts} attempt${attempts > 1 ? 's' : ''}; last error: ${lastError}`);
}

function describeFetchError(error: unknown): string {
  const e = error as { message?: string; cause?: { code?: string; message?: string } };
  const cause = e.cause?.code ?? e.cause?.message;
  return cause ? `${e.message ?? 'fetch failed'} (${cause})` : (e.message ?? String(error));
}

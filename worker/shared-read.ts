/**
 * One read at a time per isolate (S3 content, the order API's stock counts), shared by the requests that want it
 * while it runs, and never able to hold any of them for ever.
 *
 * A read belongs to the request that started it. Once that request has answered, the runtime cancels whatever it
 * still has running, unless it was handed to ctx.waitUntil, and a cancelled read never settles: its fetch, its
 * deadline and its retry timers are gone with it. A page that answers before its reads end (one read failed first)
 * would so leave a read that every later request joins and waits on for ever. Hence:
 *   - the starter hands the read to its own ctx.waitUntil, so the runtime keeps it running until it settles;
 *   - every reader, the starter included, waits for it at most `budgetMs` from its start, on a timer of its own;
 *   - a read past its budget counts as lost: it is dropped, and the next reader starts another instead of joining.
 */
import type { BffContext } from "./context";

export interface SharedRead<T> {
  readonly done: Promise<T>;
  /** Date.now() after which the read counts as lost. */
  readonly until: number;
}

/** Where an isolate keeps its reads under way, by key (a Map, or a WeakMap keyed by an object). */
export interface SharedReads<K, T> {
  get(key: K): SharedRead<T> | undefined;
  set(key: K, read: SharedRead<T>): unknown;
  delete(key: K): unknown;
}

/** The read of `key` under way, unless there is none or it was lost. */
export function runningRead<K, T>(reads: SharedReads<K, T>, key: K): SharedRead<T> | undefined {
  const read = reads.get(key);
  return read && Date.now() < read.until ? read : undefined;
}

/**
 * The result of the read of `key` under way, or of a new one made with `start` (handed to `ctx.waitUntil`). Rejects
 * with LostReadError once the read's budget is spent without a result.
 */
export function sharedRead<K, T>(
  reads: SharedReads<K, T>,
  key: K,
  ctx: BffContext["ctx"],
  budgetMs: number,
  start: () => Promise<T>,
): Promise<T> {
  let read = runningRead(reads, key);
  if (!read) {
    const done = start();
    const started: SharedRead<T> = { done, until: Date.now() + budgetMs };
    reads.set(key, started);
    const forget = () => {
      // Not a read that replaced this one after it counted as lost.
      if (reads.get(key) === started) reads.delete(key);
    };
    done.then(forget, forget);
    // Outlives this request's answer: other requests may be waiting for it (its failure is theirs to report).
    ctx.waitUntil(done.catch(() => {}));
    read = started;
  }
  return within(reads, key, read, budgetMs);
}

export class LostReadError extends Error {
  override readonly name = "LostReadError";
}

function within<K, T>(reads: SharedReads<K, T>, key: K, read: SharedRead<T>, budgetMs: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const lost = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => {
        if (reads.get(key) === read) reads.delete(key);
        reject(new LostReadError(`read of ${String(key)} did not settle within ${budgetMs} ms`));
      },
      Math.max(0, read.until - Date.now()),
    );
  });
  return Promise.race([read.done, lost]).finally(() => clearTimeout(timer));
}

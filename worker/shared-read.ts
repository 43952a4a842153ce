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
 *
 * Where the reads under way and their bookkeeping are kept is an IsolateState, one per isolate, carried by every
 * request's context (`isolate`, set by worker/load-context.ts): the Pages Function (the edge page cache) and the Remix
 * server build each bundle their own copy of the adapters, so state kept in a module would be kept twice, and the
 * two copies would read the same S3 key side by side, each unaware of the other's read (ADR 0002).
 */

/** What a shared read needs of the request that starts it. */
interface WaitUntil {
  waitUntil(promise: Promise<unknown>): void;
}

/**
 * The state an isolate keeps for the reads its requests share, by name and by the cache the reads fill (a test's own
 * cache starts clean). One per isolate: made by worker/load-context.ts and handed to every request in its context.
 */
export class IsolateState {
  readonly #slots = new WeakMap<object, Map<string, unknown>>();

  /** The state named `name` kept for `scope`, made with `make` on first use. */
  slot<T>(scope: object, name: string, make: () => T): T {
    let named = this.#slots.get(scope);
    if (!named) {
      named = new Map();
      this.#slots.set(scope, named);
    }
    if (!named.has(name)) named.set(name, make());
    return named.get(name) as T;
  }
}

/** For a context that brings none (the adapters' own tests): this copy of the module's. */
const moduleState = new IsolateState();

/** The isolate's state the request's context carries. */
export function isolateState(context: { isolate?: IsolateState }): IsolateState {
  return context.isolate ?? moduleState;
}

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
  ctx: WaitUntil,
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

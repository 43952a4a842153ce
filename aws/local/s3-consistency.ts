/**
 * Read-after-write consistency for s3rver, as S3 has it since 2020. s3rver 3.7's file store answers a PUT before
 * the bytes are on disk (it ends the write stream and moves on), writes an object's bytes and its metadata as two
 * files, and reads them as two files: a GET right after a PUT, or during one, can see an empty or cut-short body, or
 * new bytes with the old length. The photo pipeline reads what it was just notified about and polls an outcome
 * while it is written, which is exactly that.
 *
 * Here every object write is whole before it is visible (the bytes go to a temporary file that is renamed into
 * place, then the metadata is written) and each key's writes and deletes take turns with each other and with the
 * start of its reads (a read that has opened the file keeps reading that version, as a renamed-over file stays whole
 * for its readers); reads start together.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import { createHash, randomUUID } from "node:crypto";
import { mkdir, rename, writeFile } from "node:fs/promises";
import path from "node:path";
import type { Readable } from "node:stream";
import type S3rver from "s3rver";

interface StoredObject {
  bucket: string;
  key: string;
  content: Buffer | Readable | null;
  metadata: Record<string, unknown>;
}

interface FilesystemStore {
  rootDirectory: string;
  getResourcePath(bucket: string, key: string, resource: string): string;
  putMetadata(bucket: string, key: string, metadata: Record<string, unknown>, md5: string): Promise<void>;
  putObject(object: StoredObject): Promise<{ size: number; md5: string }>;
  getObject(bucket: string, key: string, options?: unknown): Promise<unknown>;
  getMetadata(bucket: string, key: string): Promise<unknown>;
  deleteObject(bucket: string, key: string): Promise<unknown>;
}

async function collect(content: Buffer | Readable | null): Promise<Buffer> {
  if (content === null) return Buffer.alloc(0);
  if (Buffer.isBuffer(content)) return content;
  const chunks: Buffer[] = [];
  for await (const chunk of content) chunks.push(Buffer.from(chunk as Uint8Array));
  return Buffer.concat(chunks);
}

export function makeWritesAtomic(server: S3rver): void {
  const store = server.store as unknown as FilesystemStore;
  /**
   * Per key: the last write (or delete) and the reads started since. A read waits for the writes before it; a write
   * waits for every earlier write and read. Reads never wait for each other: 160 orders reading catalog.json at once
   * must not queue (they did, one at a time, and the orders timed out).
   */
  const keys = new Map<string, { write: Promise<unknown>; reads: Set<Promise<unknown>>; pending: number }>();
  /** The key whose turn the current call runs in (s3rver's getObject calls getMetadata: that is the same turn). */
  const holding = new AsyncLocalStorage<string>();
  const inTurn = <T>(bucket: string, key: string, kind: "read" | "write", work: () => Promise<T>): Promise<T> => {
    const id = `${bucket}/${key}`;
    if (holding.getStore() === id) return work();
    let state = keys.get(id);
    if (!state) {
      state = { write: Promise.resolve(), reads: new Set(), pending: 0 };
      keys.set(id, state);
    }
    const entry = state;
    const before = kind === "read" ? entry.write : Promise.all([entry.write, ...entry.reads]);
    const result = before.then(() => holding.run(id, work));
    const settled = result.catch(() => undefined);
    entry.pending += 1;
    if (kind === "read") {
      entry.reads.add(settled);
    } else {
      entry.write = settled;
      entry.reads = new Set();
    }
    void settled.then(() => {
      entry.reads.delete(settled);
      entry.pending -= 1;
      if (entry.pending === 0 && keys.get(id) === entry) keys.delete(id);
    });
    return result;
  };

  // Temporary files live beside the store, never inside a bucket (where s3rver would list them).
  const scratch = `${store.rootDirectory.replace(/\/$/, "")}.writes`;

  const { getObject, getMetadata, deleteObject } = {
    getObject: store.getObject.bind(store),
    getMetadata: store.getMetadata.bind(store),
    deleteObject: store.deleteObject.bind(store),
  };
  store.putObject = async (object) => {
    const bytes = await collect(object.content);
    const md5 = createHash("md5").update(bytes).digest("hex");
    await mkdir(scratch, { recursive: true });
    const temporary = path.join(scratch, randomUUID());
    await writeFile(temporary, bytes);
    return inTurn(object.bucket, object.key, "write", async () => {
      const objectPath = store.getResourcePath(object.bucket, object.key, "object");
      await mkdir(path.dirname(objectPath), { recursive: true });
      await rename(temporary, objectPath);
      await store.putMetadata(object.bucket, object.key, object.metadata, md5);
      return { size: bytes.length, md5 };
    });
  };
  store.getObject = (bucket, key, options) => inTurn(bucket, key, "read", () => getObject(bucket, key, options));
  store.getMetadata = (bucket, key) => inTurn(bucket, key, "read", () => getMetadata(bucket, key));
  store.deleteObject = (bucket, key) => inTurn(bucket, key, "write", () => deleteObject(bucket, key));
}

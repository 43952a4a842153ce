// dynalite and s3rver ship no type declarations; these cover the parts the local stack uses.
declare module "dynalite" {
  import type { Server } from "node:http";

  interface DynaliteOptions {
    path?: string;
    createTableMs?: number;
    deleteTableMs?: number;
    updateTableMs?: number;
    maxItemSizeKb?: number;
  }
  export default function dynalite(options?: DynaliteOptions): Server;
}

declare module "s3rver" {
  import type { IncomingMessage } from "node:http";
  import type { AddressInfo } from "node:net";
  import type { Readable } from "node:stream";

  interface S3rverOptions {
    address?: string;
    port?: number;
    silent?: boolean;
    directory?: string;
    resetOnClose?: boolean;
    allowMismatchedSignatures?: boolean;
    configureBuckets?: { name: string; configs?: (string | Buffer)[] }[];
  }
  /** The slice of a Koa context that the local middleware uses. */
  interface S3rverContext {
    method: string;
    path: string;
    query: Record<string, string | string[] | undefined>;
    status: number;
    type: string;
    body: unknown;
    /** The request stream; a middleware that reads it may put a replay (same bytes) in its place. */
    req: IncomingMessage | (Readable & Pick<IncomingMessage, "url" | "method" | "headers" | "httpVersion" | "socket">);
    request: { req: S3rverContext["req"] };
    get(header: string): string;
  }
  /** What s3rver emits for PUT, POST, COPY and DELETE of an object (the S3 event notification shape). */
  interface S3rverEvent {
    Records: {
      eventName: string;
      s3: { bucket: { name: string }; object: { key: string; size?: number; eTag?: string } };
    }[];
  }
  /** s3rver is a Koa application: its middleware runs in this order, the router last. */
  export default class S3rver {
    constructor(options?: S3rverOptions);
    middleware: ((ctx: S3rverContext, next: () => Promise<void>) => Promise<void>)[];
    store: { getMetadata(bucket: string, key: string): Promise<Record<string, unknown>> };
    run(): Promise<AddressInfo>;
    on(event: "event", listener: (event: S3rverEvent) => void): this;
    close(): Promise<void>;
  }
}

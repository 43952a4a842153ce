/**
 * S3 conditional writes for s3rver. Real S3 honours `If-Match: <etag>` and `If-None-Match: *` on PutObject
 * (since 2024), and the admin API relies on them so two owner edits of the catalog cannot overwrite each other;
 * s3rver 3.7 ignores both headers, which would make the local stack silently last-write-wins. This middleware runs
 * in front of s3rver's router and answers as S3 does:
 *
 * - `If-Match` on a missing object → 404 NoSuchKey; on a different ETag → 412 PreconditionFailed;
 * - `If-None-Match: *` on an existing object → 412 PreconditionFailed; any other If-None-Match → 501 NotImplemented;
 * - otherwise the write proceeds. Conditional writes to one key are serialised (check + write as one step), which is
 *   the atomicity S3 guarantees.
 *
 * Only path-style requests (`/bucket/key`), the way the local clients address s3rver.
 */
import { randomUUID } from "node:crypto";
import type S3rver from "s3rver";

type Middleware = S3rver["middleware"][number];
type Context = Parameters<Middleware>[0];

/** Query keys that make a PUT something other than PutObject (parts, tagging, ACLs...). */
const SUBRESOURCES = ["uploadId", "partNumber", "tagging", "acl", "retention", "legal-hold"];

const unquote = (etag: string) => etag.trim().replace(/^W\//, "").replace(/^"|"$/g, "");

export function enforceConditionalWrites(server: S3rver): void {
  const queues = new Map<string, Promise<unknown>>();

  const middleware: Middleware = async (ctx, next) => {
    const ifMatch = ctx.get("if-match");
    const ifNoneMatch = ctx.get("if-none-match");
    const target = putObjectTarget(ctx);
    if (!target || (!ifMatch && !ifNoneMatch)) return next();

    const id = `${target.bucket}/${target.key}`;
    const previous = queues.get(id) ?? Promise.resolve();
    const turn = previous.then(async () => {
      const etag = await currentEtag(server, target.bucket, target.key);
      const refusal = refuse({ ifMatch, ifNoneMatch, etag });
      if (refusal) return fail(ctx, refusal, id);
      await next();
    });
    // The queue must go on after a failed turn; the turn's own error still reaches Koa below.
    const settled = turn.catch(() => undefined);
    queues.set(id, settled);
    try {
      await turn;
    } finally {
      if (queues.get(id) === settled) queues.delete(id);
    }
  };
  server.middleware.unshift(middleware);
}

function putObjectTarget(ctx: Context): { bucket: string; key: string } | undefined {
  if (ctx.method !== "PUT" || ctx.get("x-amz-copy-source")) return undefined;
  if (SUBRESOURCES.some((name) => name in ctx.query)) return undefined;
  const [, bucket, ...rest] = ctx.path.split("/");
  const key = rest.join("/");
  if (!bucket || !key) return undefined;
  return { bucket: decodeURIComponent(bucket), key: decodeURIComponent(key) };
}

async function currentEtag(server: S3rver, bucket: string, key: string): Promise<string | undefined> {
  try {
    const metadata = await server.store.getMetadata(bucket, key);
    return unquote(String(metadata.etag));
  } catch (error) {
    if ((error as { code?: string }).code === "ENOENT") return undefined;
    throw error;
  }
}

interface Refusal {
  status: number;
  code: string;
  message: string;
  condition?: string;
}

const PRECONDITION_FAILED = "At least one of the pre-conditions you specified did not hold";

/** What S3 answers to a conditional PutObject given the object's current ETag (undefined: no such object). */
function refuse(request: { ifMatch: string; ifNoneMatch: string; etag: string | undefined }): Refusal | undefined {
  const { ifMatch, ifNoneMatch, etag } = request;
  if (ifNoneMatch && ifNoneMatch.trim() !== "*") {
    return {
      status: 501,
      code: "NotImplemented",
      message: "A header you provided implies functionality that is not implemented",
    };
  }
  if (ifNoneMatch && etag !== undefined) {
    return { status: 412, code: "PreconditionFailed", message: PRECONDITION_FAILED, condition: "If-None-Match" };
  }
  if (ifMatch && etag === undefined)
    return { status: 404, code: "NoSuchKey", message: "The specified key does not exist." };
  if (ifMatch && etag !== unquote(ifMatch)) {
    return { status: 412, code: "PreconditionFailed", message: PRECONDITION_FAILED, condition: "If-Match" };
  }
  return undefined;
}

function fail(ctx: Context, { status, code, message, condition }: Refusal, resource: string): void {
  ctx.status = status;
  ctx.type = "application/xml";
  ctx.body =
    `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message>` +
    `${condition ? `<Condition>${condition}</Condition>` : ""}<Resource>/${resource}</Resource>` +
    `<RequestId>${randomUUID()}</RequestId></Error>`;
}

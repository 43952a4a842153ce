/**
 * Sending one photo the way the API expects (ADR 0019), for every caller that has the owner's signed API access:
 * the admin BFF (workerd) and the images migration command (Node). Ask for a presigned POST, post the file to S3
 * with its fields (file last), then ask about the upload until the function has processed it or `waitMs` passed.
 */
import type { CreateUploadResponse, ProductImage, UploadStatus } from "./images";
import type { UploadProblem } from "./photos";

export interface PhotoUploadApi {
  /** POST /admin/uploads; throws when the API cannot be reached or refuses. */
  createUpload(): Promise<CreateUploadResponse>;
  /** GET /admin/uploads/{id}; throws likewise. */
  getUpload(uploadId: string): Promise<UploadStatus>;
  /** Posts the form to S3 (plain `fetch`: the presigned fields are the authorisation). */
  post(url: string, form: FormData): Promise<Response>;
  sleep?(ms: number): Promise<void>;
}

export type SentPhoto =
  | { state: "ready"; uploadId: string; image: ProductImage }
  | { state: "rejected"; uploadId: string; problem: UploadProblem; message: string }
  /** Still processing when `waitMs` ran out: the function will finish it (and give it to a product waiting for it). */
  | { state: "processing"; uploadId: string }
  /** S3 refused the POST (e.g. EntityTooLarge): nothing was stored. */
  | { state: "refused"; uploadId: string; status: number; code: string };

export interface SendPhotoOptions {
  /** How long to wait for the outcome before answering "processing". */
  waitMs: number;
  pollMs?: number;
  filename?: string;
}

export async function sendPhoto(api: PhotoUploadApi, file: Blob, options: SendPhotoOptions): Promise<SentPhoto> {
  const upload = await api.createUpload();
  const form = new FormData();
  for (const [name, value] of Object.entries(upload.fields)) form.append(name, value);
  // S3 ignores every field after the file, so it goes last.
  form.append("file", file, options.filename ?? "photo");
  const posted = await api.post(upload.url, form);
  if (!posted.ok) {
    const text = await posted.text();
    const code = /<Code>([^<]+)<\/Code>/.exec(text)?.[1] ?? "Unknown";
    return { state: "refused", uploadId: upload.uploadId, status: posted.status, code };
  }
  await posted.body?.cancel();
  const sleep = api.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const deadline = Date.now() + options.waitMs;
  for (;;) {
    const status = await api.getUpload(upload.uploadId);
    if (status.state === "ready") return { state: "ready", uploadId: upload.uploadId, image: status.image };
    if (status.state === "rejected") {
      return { state: "rejected", uploadId: upload.uploadId, problem: status.problem, message: status.message };
    }
    if (Date.now() >= deadline) return { state: "processing", uploadId: upload.uploadId };
    await sleep(Math.min(options.pollMs ?? 400, Math.max(0, deadline - Date.now())));
  }
}

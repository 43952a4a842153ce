/**
 * The owner's API from Node (commands, benchmarks): JSON calls signed as the owner-admin IAM user with aws4fetch,
 * as the admin BFF signs them, and the calls `sendPhoto` needs to upload a product photo.
 */
import { AwsClient } from "aws4fetch";
import { createUploadResponseSchema, type PhotoUploadApi, uploadStatusSchema } from "../../aws/src/contract";

export class ApiCallError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = "ApiCallError";
  }
}

export interface AdminApi {
  call<T>(method: string, path: string, body?: unknown): Promise<T>;
  photos: PhotoUploadApi;
}

export function adminApi(options: {
  apiUrl: string;
  region: string;
  keys: { accessKeyId: string; secretAccessKey: string };
}): AdminApi {
  const signer = new AwsClient({ ...options.keys, service: "execute-api", region: options.region, retries: 2 });
  const call = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const response = await signer.fetch(`${options.apiUrl.replace(/\/$/, "")}${path}`, {
      method,
      ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { "content-type": "application/json" } }),
    });
    const text = await response.text();
    if (!response.ok) {
      throw new ApiCallError(response.status, `${method} ${path} answered ${response.status}: ${text.slice(0, 300)}`);
    }
    return JSON.parse(text) as T;
  };
  return {
    call,
    photos: {
      createUpload: async () => createUploadResponseSchema.parse(await call("POST", "/admin/uploads", {})),
      getUpload: async (id) => uploadStatusSchema.parse(await call("GET", `/admin/uploads/${id}`)),
      post: (url, form) => fetch(url, { method: "POST", body: form }),
    },
  };
}

import { json, jsonEndpoint } from "../lib/http";
import { createUpload } from "../services/uploads";

/** POST /admin/uploads: a presigned POST for one photo (the file goes to S3, never through this function). */
export const handler = jsonEndpoint("admin-create-upload", async () => json(201, await createUpload()));

import { uploadIdSchema } from "../contract";
import { json, jsonEndpoint, parseWith } from "../lib/http";
import { uploadStatus } from "../services/uploads";

/** GET /admin/uploads/{id}: processing, ready (with the image for the catalog) or rejected (with the reason). */
export const handler = jsonEndpoint("admin-get-upload", async (event) => {
  const id = parseWith(uploadIdSchema, event.pathParameters?.id, "upload id");
  return json(200, await uploadStatus(id));
});

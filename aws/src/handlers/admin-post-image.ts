import { adminImageRequestSchema, MAX_IMAGE_BYTES } from "../contract";
import { writeImage } from "../lib/content";
import { ApiError, json, jsonBody, jsonEndpoint, parseWith } from "../lib/http";

const SIGNATURES: Record<string, (b: Uint8Array) => boolean> = {
  "image/jpeg": (b) => b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff,
  "image/png": (b) => b[0] === 0x89 && b[1] === 0x50 && b[2] === 0x4e && b[3] === 0x47,
  "image/webp": (b) => Buffer.from(b.subarray(0, 4)).toString("latin1") === "RIFF" && Buffer.from(b.subarray(8, 12)).toString("latin1") === "WEBP",
};

export const handler = jsonEndpoint("admin-post-image", async (event) => {
  const { contentType, dataBase64 } = parseWith(adminImageRequestSchema, jsonBody(event), "image");
  const bytes = new Uint8Array(Buffer.from(dataBase64, "base64"));
  if (bytes.length === 0) throw new ApiError("bad_request", "dataBase64 decodes to nothing");
  if (bytes.length > MAX_IMAGE_BYTES) throw new ApiError("payload_too_large", "Images may be at most 2 MB");
  // Trust the bytes, not the label: a mislabelled upload would be served with the wrong type for a year.
  if (!SIGNATURES[contentType]?.(bytes)) throw new ApiError("unsupported_media_type", `The file is not a ${contentType} image`);
  return json(201, { imageKey: await writeImage(bytes, contentType) });
});

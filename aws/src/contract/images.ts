/**
 * Product photos on the wire and in the catalog: the zod schemas (docs/decisions/0019-product-photos.md). The limits,
 * names and rules that go with them, free of zod so pages can use them, are in photos.ts.
 */
// A namespace import: see contract/index.ts.
import * as z from "zod";
import { UPLOAD_PROBLEMS } from "./photos";

export const uploadIdSchema = z.string().regex(/^[0-9a-f]{32}$/, "upload id: 32 lowercase hex characters");
export const imageIdSchema = z.string().regex(/^[0-9a-f]{32}$/, "image id: 32 lowercase hex characters");

/** A processed photo as the catalog stores it: enough to write `srcset`, `width` and `height` without a lookup. */
export const productImageSchema = z
  .object({
    id: imageIdSchema,
    /** Size of the largest variant (the photo, upright, cut to 4:3). */
    width: z.number().int().min(1).max(20_000),
    height: z.number().int().min(1).max(20_000),
    /** Widths of the WebP variants, ascending; the last one is `width`. */
    widths: z.array(z.number().int().min(1).max(20_000)).min(1).max(12),
  })
  .refine((image) => image.widths.every((w, i) => i === 0 || w > (image.widths[i - 1] as number)), {
    message: "widths must ascend",
    path: ["widths"],
  })
  .refine((image) => image.widths.at(-1) === image.width, { message: "the last width is the image's width" });
export type ProductImage = z.infer<typeof productImageSchema>;

export const uploadProblemSchema = z.enum(UPLOAD_PROBLEMS);

/** An upload the catalog is waiting for: the page shows a placeholder (or the old photo) until it is processed. */
export const pendingImageSchema = z.object({
  uploadId: uploadIdSchema,
  /** Set when processing refused the file; the admin shows why, the storefront keeps the placeholder. */
  problem: uploadProblemSchema.optional(),
});
export type PendingImage = z.infer<typeof pendingImageSchema>;

// ---------------------------------------------------------------------------------------------
// Wire: POST /admin/uploads, GET /admin/uploads/{id}

/** A presigned POST: send every field, then the file last, as multipart/form-data to `url`. */
export const createUploadResponseSchema = z.object({
  uploadId: uploadIdSchema,
  url: z.string().url(),
  fields: z.record(z.string(), z.string()),
  maxBytes: z.number().int(),
  expiresAt: z.string().datetime(),
});
export type CreateUploadResponse = z.infer<typeof createUploadResponseSchema>;

export const uploadStatusSchema = z.discriminatedUnion("state", [
  z.object({ uploadId: uploadIdSchema, state: z.literal("processing") }),
  z.object({ uploadId: uploadIdSchema, state: z.literal("ready"), image: productImageSchema }),
  z.object({
    uploadId: uploadIdSchema,
    state: z.literal("rejected"),
    problem: uploadProblemSchema,
    message: z.string(),
  }),
]);
export type UploadStatus = z.infer<typeof uploadStatusSchema>;

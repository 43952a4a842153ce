/** POST /admin/photos: a product photo sent ahead of the product form by its script, answered as JSON. */
import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/cloudflare";
import { photoUploadGet, submitPhotoUpload } from "../lib/admin/products.server";

export const loader = ({ request, context }: LoaderFunctionArgs) => photoUploadGet(context.cloudflare, request);
export const action = ({ request, context }: ActionFunctionArgs) => submitPhotoUpload(context.cloudflare, request);

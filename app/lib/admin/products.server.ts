/**
 * Page-level BFF functions for the owner's products. The catalog is written whole (the API's unit), so every change
 * reads the current list and its revision, changes it and writes it back on condition that the revision still
 * holds: two changes at once (two tabs, two people) cannot undo each other; the second is told to reload. An edit
 * form also remembers the product as it was shown (`baseline`), so saving a page opened before someone else changed
 * that product asks first instead of overwriting. After every write the edge copy of catalog.json in this data
 * centre is purged, so the storefront shows the change within seconds (elsewhere within the cache TTL).
 *
 * A new photo (ADR 0019) never passes through the API: the API hands out a presigned POST, this function posts the
 * file to S3 with it, and waits a few seconds for the function the upload triggers to make the variants. If it is
 * quick (usual), the product is saved with the photo; if not, with the upload pending (the shop shows the old photo
 * or the placeholder) and the function gives the photo to the product when it is done.
 */
import { z } from "zod";
import {
  applyUploadOutcome,
  MAX_STOCK,
  MAX_UPLOAD_BYTES,
  type Product,
  type ProductImage,
  productIdSchema,
  type SentPhoto,
  sendPhoto,
  sniffImage,
  stockCountSchema,
  uploadIdSchema,
} from "../../../aws/src/contract";
import {
  type AdminCatalog,
  getProducts,
  getStockCounts,
  getUpload,
  PhotoApiError,
  photoUploadApi,
  putProducts,
  putStockCount,
} from "../../../worker/admin/admin-api.server";
import type { ApiResult } from "../../../worker/api-client.server";
import { purgeContent } from "../../../worker/content.server";
import type { BffContext } from "../../../worker/context";
import { purgeStock } from "../../../worker/stock.server";
import type { FieldErrors, FormFailure, FormValues } from "../forms";
import { blank, checkbox, FORM_LIMITS, formErrors, twdText } from "../forms.server";
import { privateHeaders } from "../private-headers";
import { ownerAction, ownerPage, ownerRedirect, ownerResourceAction, requireOwner } from "./auth.server";
import { UPLOAD_PROBLEM_MESSAGES } from "./labels";

const SORT_STEP = 10;

// ---------------------------------------------------------------------------------------------
// Products

/** Integer New Taiwan dollars as the owner types them: "450", "1,280" or "NT$1280". */
const priceSchema = z
  .string({ error: "請填寫價格" })
  .trim()
  .min(1, "請填寫價格")
  .pipe(twdText("請輸入整數金額（新台幣元，不含小數點）"))
  .pipe(z.number().int().min(1, "價格至少 1 元").max(10_000_000, "價格不能超過 10,000,000 元"));

const productFormSchema = z.object({
  name: z.string({ error: "請填寫商品名稱" }).trim().min(1, "請填寫商品名稱").max(80, "商品名稱最多 80 字"),
  description: z.string().trim().max(2000, "商品說明最多 2000 字").default(""),
  unitPrice: priceSchema,
  available: checkbox,
  /** A photo already sent with this form (kept across a failed save, so the owner need not send it again). */
  uploadId: z.preprocess(blank, uploadIdSchema.optional()),
  /** Edit form: drop the current image (a newly chosen file still wins). */
  removeImage: checkbox,
  /** Edit form: the fingerprint of the product as the page showed it (see productFingerprint). */
  baseline: z.preprocess(blank, z.string().max(100).optional()),
});

const newProductFormSchema = productFormSchema.extend({
  id: z.preprocess(
    blank,
    z
      .string()
      .trim()
      .toLowerCase()
      .regex(/^[a-z0-9][a-z0-9-]{0,47}$/, "代號只能用小寫英文字母、數字和連字號（-），最多 48 字")
      .optional(),
  ),
});

export type ProductForm = z.output<typeof productFormSchema>;
type NewProductForm = z.output<typeof newProductFormSchema>;

interface ProductsPageData {
  products: Product[];
  /** Units left by product id (null: not tracked); absent when the counts could not be read. */
  stock?: Record<string, number | null>;
  /** Why the counts are not shown. */
  stockError?: string;
  loadError?: string;
  /** After saving a product (post/redirect/get). */
  savedMessage?: string;
}

async function loadProducts(bff: BffContext, search: URLSearchParams): Promise<ProductsPageData> {
  const [result, counts] = await Promise.all([getProducts(bff), getStockCounts(bff)]);
  if (!result.ok) return { products: [], loadError: result.message };
  const products = sorted(result.data.products);
  const stock = counts.ok ? { stock: Object.fromEntries(counts.data.map((c) => [c.productId, c.stock])) } : {};
  const stockError = counts.ok ? {} : { stockError: `目前無法讀取庫存：${counts.message}` };
  const savedId = search.get("saved");
  const saved = savedId ? products.find((p) => p.id === savedId) : undefined;
  const savedMessage = saved
    ? `已儲存「${saved.name}」。商店頁面幾秒內就會更新。${
        saved.imageUpload && !saved.imageUpload.problem ? "新照片還在處理，完成後商店會自動換上。" : ""
      }`
    : search.get("removed") === "1"
      ? "已刪除商品。"
      : undefined;
  return { products, ...stock, ...stockError, ...(savedMessage ? { savedMessage } : {}) };
}

async function loadProduct(bff: BffContext, id: string | undefined): Promise<{ product: Product; baseline: string }> {
  const result = await getProducts(bff);
  if (!result.ok) throw Response.json({ message: result.message }, { status: 503, headers: privateHeaders("owner") });
  const product = result.data.products.find((p) => p.id === id);
  if (!product)
    throw Response.json(
      { message: "找不到這個商品，可能已被刪除。" },
      { status: 404, headers: privateHeaders("owner") },
    );
  return { product, baseline: await productFingerprint(product) };
}

/** The file input of a product form: absent or empty means "keep the current image". */
function imageFile(form: FormData): File | undefined {
  const file = form.get("image");
  return file instanceof File && file.size > 0 ? file : undefined;
}

type SaveResult = { ok: true; id: string } | FormFailure;

/** How long a save waits for the variants before saving the product with the photo pending (usually 1–3 s). */
const PHOTO_WAIT_MS = 8_000;
const PHOTO_POLL_MS = 500;

/** A product's photo fields, as they will be written. */
type PhotoFields = Pick<Product, "image" | "imageKey" | "imageUpload">;

/** The new photo a form brought: processed (`image`) or still processing; or why it cannot be used. */
type NewPhoto =
  | { ok: true; uploadId: string; image?: ProductImage }
  | { ok: false; message: string; keepUploadId?: string };

/**
 * Adds (`existingId` undefined) or edits a product: sends a new photo first (or takes the one an earlier, failed
 * save of this form sent), then writes the catalog. A failure at any step returns the values typed so far,
 * including the sent photo's upload id.
 */
export async function saveProduct(
  bff: BffContext,
  existingId: string | undefined,
  form: ProductForm & { id?: string },
  file: File | undefined,
  values: FormValues,
  options: { sleep?: (ms: number) => Promise<void> } = {},
): Promise<SaveResult> {
  let uploadId = form.uploadId;
  const fail = (errors: FieldErrors, formError?: string): FormFailure => {
    const { uploadId: _sent, ...rest } = values;
    return {
      ok: false,
      values: { ...rest, ...(uploadId ? { uploadId } : {}) },
      errors,
      ...(formError ? { formError } : {}),
    };
  };
  const photo = file ? await sendNewPhoto(bff, file, options.sleep) : uploadId ? await sentPhoto(bff, uploadId) : null;
  if (photo && !photo.ok) {
    uploadId = photo.keepUploadId;
    return fail({ image: photo.message });
  }
  if (photo) uploadId = photo.uploadId;

  const current = await getProducts(bff);
  if (!current.ok) return fail({}, current.message);
  const products = sorted(current.data.products);
  const photoFor = (stored: PhotoFields): PhotoFields => {
    if (photo?.image) return { image: photo.image };
    const kept = form.removeImage ? {} : { ...pick(stored, "image"), ...pick(stored, "imageKey") };
    // Still processing: the shop keeps showing what the product had (or the placeholder) meanwhile.
    if (photo) return { ...kept, imageUpload: { uploadId: photo.uploadId } };
    return form.removeImage ? {} : { ...kept, ...pick(stored, "imageUpload") };
  };
  let id: string;
  if (existingId === undefined) {
    id = form.id ?? generatedId(products);
    if (products.some((p) => p.id === id)) return fail({ id: "這個代號已經有商品使用，請換一個。" });
    const lastOrder = products.at(-1)?.sortOrder ?? 0;
    products.push({
      id,
      name: form.name,
      description: form.description,
      unitPrice: form.unitPrice,
      available: form.available,
      sortOrder: Math.min(100_000, lastOrder + SORT_STEP),
      ...photoFor({}),
    });
  } else {
    id = existingId;
    const index = products.findIndex((p) => p.id === id);
    if (index < 0) return fail({}, "找不到這個商品，可能已被刪除。");
    const stored = products[index]!;
    const storedFingerprint = await productFingerprint(stored);
    if (form.baseline !== undefined && form.baseline !== storedFingerprint) {
      // Someone changed this product after the page was shown. Keep what the owner typed, show what is stored,
      // and let a second save (now based on the stored version) overwrite it deliberately.
      const failure = fail({}, staleProductMessage(stored));
      return { ...failure, values: { ...failure.values, baseline: storedFingerprint } };
    }
    const { imageKey: _key, image: _image, imageUpload: _upload, ...rest } = stored;
    products[index] = {
      ...rest,
      name: form.name,
      description: form.description,
      unitPrice: form.unitPrice,
      available: form.available,
      ...photoFor(stored),
    };
  }
  const saved = await writeProducts(bff, current.data, products);
  if (!saved.ok) return fail(formErrors(saved.fields, PRODUCT_FIELDS), saved.message);
  if (photo && !photo.image) await settleAfterSave(bff, saved.data, photo.uploadId);
  await purgeContent(bff, "catalog.json");
  return { ok: true, id };
}

const pick = <K extends keyof PhotoFields>(product: PhotoFields, key: K): Pick<PhotoFields, K> =>
  (product[key] === undefined ? {} : { [key]: product[key] }) as Pick<PhotoFields, K>;

/** Sends the owner's file: quick checks here (size, what the bytes are), then S3 and the function decide. */
async function sendNewPhoto(
  bff: BffContext,
  file: File,
  sleep: ((ms: number) => Promise<void>) | undefined,
): Promise<NewPhoto> {
  if (file.size > MAX_UPLOAD_BYTES) return { ok: false, message: UPLOAD_PROBLEM_MESSAGES.too_large };
  const format = sniffImage(new Uint8Array(await file.slice(0, 16).arrayBuffer()));
  if (format === "heic") return { ok: false, message: UPLOAD_PROBLEM_MESSAGES.heic };
  if (format === "unknown") return { ok: false, message: UPLOAD_PROBLEM_MESSAGES.not_an_image };
  let sent: SentPhoto;
  try {
    sent = await sendPhoto(photoUploadApi(bff, sleep), file, {
      waitMs: PHOTO_WAIT_MS,
      pollMs: PHOTO_POLL_MS,
      filename: file.name || "photo",
    });
  } catch (error) {
    return { ok: false, message: photoFailureMessage(error) };
  }
  switch (sent.state) {
    case "ready":
      return { ok: true, uploadId: sent.uploadId, image: sent.image };
    case "processing":
      return { ok: true, uploadId: sent.uploadId };
    case "rejected":
      return { ok: false, message: UPLOAD_PROBLEM_MESSAGES[sent.problem] };
    case "refused":
      // S3 checks the size itself (the POST's content-length-range); anything else is a refusal worth a retry.
      console.error(JSON.stringify({ at: "admin-photo", problem: "s3_refused", status: sent.status, code: sent.code }));
      return sent.code === "EntityTooLarge"
        ? { ok: false, message: UPLOAD_PROBLEM_MESSAGES.too_large }
        : { ok: false, message: "照片上傳失敗（儲存空間拒絕了這次上傳），請再試一次。" };
  }
}

/** The photo an earlier save of this form sent: its outcome now. */
async function sentPhoto(bff: BffContext, uploadId: string): Promise<NewPhoto> {
  const status = await getUpload(bff, uploadId);
  if (!status.ok) {
    if (status.kind === "not_found") return { ok: false, message: "先前上傳的照片已過期，請重新選擇照片。" };
    return { ok: false, message: `${status.message}（照片已上傳，請再儲存一次）`, keepUploadId: uploadId };
  }
  const outcome = status.data;
  if (outcome.state === "ready") return { ok: true, uploadId, image: outcome.image };
  if (outcome.state === "processing") return { ok: true, uploadId };
  return { ok: false, message: UPLOAD_PROBLEM_MESSAGES[outcome.problem] };
}

function photoFailureMessage(error: unknown): string {
  if (error instanceof PhotoApiError) return `${error.failure.message}（照片沒有上傳，請再試一次）`;
  console.error(JSON.stringify({ at: "admin-photo", problem: "s3_post_failed", detail: String(error).slice(0, 300) }));
  return "照片上傳失敗（連線中斷或逾時），請再試一次。";
}

/**
 * A product saved with its photo pending: if processing finished meanwhile, the function may have looked for the
 * product before it was saved. Ask once more and apply the outcome (applying it twice changes nothing). Best
 * effort: if this fails, the function's own write (on a retry) or the next save applies it.
 */
async function settleAfterSave(bff: BffContext, catalog: AdminCatalog, uploadId: string): Promise<void> {
  const status = await getUpload(bff, uploadId);
  if (!status.ok || status.data.state === "processing") return;
  const outcome =
    status.data.state === "ready"
      ? ({ state: "ready", image: status.data.image } as const)
      : ({ state: "rejected", problem: status.data.problem } as const);
  const products = applyUploadOutcome(catalog.products, uploadId, outcome);
  if (products) await putProducts(bff, { products, revision: catalog.revision });
}

/** One row's buttons on the product list: move up / down, mark sold out / back on sale. */
const productListActionSchema = z.object({
  id: z.string({ error: "缺少商品代號" }).min(1, "缺少商品代號").max(48),
  op: z.enum(["up", "down", "soldout", "onsale"], { error: "不明的操作" }),
});

/** The count typed in the product list: blank is "not tracked". */
const stockInput = z.preprocess(
  blank,
  z
    .string()
    .trim()
    .regex(/^-?\d{1,12}$/, "庫存請填 0 以上的整數，不追蹤請留空")
    .transform(Number)
    .pipe(stockCountSchema)
    .optional(),
);

/** Setting a count, on condition of the one the page showed (`expected`, blank: was not tracked). */
const stockFormSchema = z.object({
  op: z.literal("stock"),
  id: productIdSchema,
  stock: stockInput,
  expected: z.preprocess(blank, z.coerce.number().int().min(0).max(MAX_STOCK).optional()),
});

/** The product list's forms: move, sold out / on sale, and the stock count. */
export const productListFormSchema = z.discriminatedUnion("op", [productListActionSchema, stockFormSchema], {
  error: "不明的操作",
});

/**
 * Sets one product's count if it is still what the page showed. Another tab, or an order placed since the page was
 * rendered, makes the API refuse (409): the owner then sees the count as it is now, and what they typed stays, to
 * be saved deliberately with a second press.
 */
export async function saveStock(
  bff: BffContext,
  form: z.output<typeof stockFormSchema>,
  values: FormValues,
): Promise<ListActionResult> {
  const stock = form.stock ?? null;
  const expected = form.expected ?? null;
  const saved = await putStockCount(bff, form.id, stock, expected);
  if (saved.ok) {
    await purgeStock(bff, [form.id]);
    const products = await getProducts(bff);
    const name = products.ok ? products.data.products.find((p) => p.id === form.id)?.name : undefined;
    const what = name ? `「${name}」` : form.id;
    return {
      ok: true,
      message: saved.data.stock === null ? `${what}不再追蹤庫存。` : `${what}的庫存已更新為 ${saved.data.stock} 件。`,
    };
  }
  if (saved.kind === "conflict") {
    const counts = await getStockCounts(bff);
    const current = counts.ok ? counts.data.find((c) => c.productId === form.id) : undefined;
    if (current) {
      const now = current.stock === null ? "不追蹤" : `${current.stock} 件`;
      return {
        ok: false,
        values: { ...values, expected: current.stock === null ? "" : String(current.stock) },
        errors: {
          stock:
            `庫存在您開啟此頁之後已變動（另一個分頁，或剛成立／取消的訂單），目前是 ${now}。` +
            "您輸入的數字沒有儲存，保留在欄位中；確認無誤後再按一次「更新庫存」。",
        },
        formError: `庫存沒有更新：目前是 ${now}。`,
      };
    }
  }
  const field = saved.fields ? Object.values(saved.fields)[0] : undefined;
  return { ok: false, values, errors: field ? { stock: field } : {}, formError: saved.message };
}

const removeProductSchema = z.object({
  intent: z.literal("remove"),
  confirm: z.literal("yes", { error: "刪除前請勾選確認。" }),
});

type ListActionResult = { ok: true; message: string } | FormFailure;

/** Reorders, marks sold out / back on sale, or removes one product. */
export async function changeProducts(
  bff: BffContext,
  action: z.output<typeof productListActionSchema> | { op: "remove"; id: string },
  values: FormValues,
): Promise<ListActionResult> {
  const fail = (formError: string): FormFailure => ({ ok: false, values, errors: {}, formError });
  const current = await getProducts(bff);
  if (!current.ok) return fail(current.message);
  const products = sorted(current.data.products);
  const index = products.findIndex((p) => p.id === action.id);
  if (index < 0) return fail("找不到這個商品，可能已被刪除；請重新整理頁面。");
  const product = products[index]!;
  let message: string;
  if (action.op === "up" || action.op === "down") {
    const target = action.op === "up" ? index - 1 : index + 1;
    if (target < 0 || target >= products.length) return { ok: true, message: "順序沒有變動。" };
    [products[index], products[target]] = [products[target]!, product];
    products.forEach((p, i) => {
      p.sortOrder = (i + 1) * SORT_STEP;
    });
    message = `已將「${product.name}」${action.op === "up" ? "上移" : "下移"}。`;
  } else if (action.op === "soldout" || action.op === "onsale") {
    product.available = action.op === "onsale";
    message = product.available ? `「${product.name}」已恢復販售。` : `「${product.name}」已標示為售完。`;
  } else {
    products.splice(index, 1);
    message = `已刪除「${product.name}」。`;
  }
  const saved = await writeProducts(bff, current.data, products);
  if (!saved.ok) return fail(saved.message);
  await purgeContent(bff, "catalog.json");
  return { ok: true, message };
}

const CATALOG_CONFLICT_MESSAGE =
  "商品資料剛剛在別處被修改了（可能是另一個分頁），這次的變更沒有儲存。請重新整理頁面後再做一次。";

/**
 * Writes `products` over the catalog read as `base`. A conflict whose catalog already equals `products` is our
 * own earlier attempt (a retried request whose first answer was lost), so it counts as saved.
 */
async function writeProducts(
  bff: BffContext,
  base: AdminCatalog,
  products: Product[],
): Promise<ApiResult<AdminCatalog>> {
  const saved = await putProducts(bff, { products, revision: base.revision });
  if (saved.ok || saved.kind !== "conflict") return saved;
  const now = await getProducts(bff);
  if (now.ok && (await catalogFingerprint(now.data.products)) === (await catalogFingerprint(products))) return now;
  return { ...saved, message: CATALOG_CONFLICT_MESSAGE };
}

/** A short digest of what the owner can see and change of a product; equal digests mean nothing changed. */
export async function productFingerprint(product: Product): Promise<string> {
  return digest([product]);
}

async function catalogFingerprint(products: Product[]): Promise<string> {
  return digest(sorted(products));
}

async function digest(products: Product[]): Promise<string> {
  const canonical = JSON.stringify(
    products.map((p) => [
      p.id,
      p.name,
      p.description,
      p.unitPrice,
      p.imageKey ?? null,
      p.image?.id ?? null,
      p.imageUpload ?? null,
      p.available,
      p.sortOrder,
    ]),
  );
  const hash = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(canonical));
  return [...new Uint8Array(hash).slice(0, 12)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

function staleProductMessage(stored: Product): string {
  return (
    `這個商品在您開啟此頁之後已被修改（可能是另一個分頁）。目前儲存的是：「${stored.name}」，` +
    `NT$${stored.unitPrice.toLocaleString("en-US")}，${stored.available ? "販售中" : "售完"}。` +
    "您輸入的內容保留在下方；確認無誤後再按一次「儲存變更」就會以您的內容為準。"
  );
}

function sorted(products: Product[]): Product[] {
  return [...products].sort((a, b) => a.sortOrder - b.sortOrder || a.id.localeCompare(b.id));
}

function generatedId(products: Product[]): string {
  for (;;) {
    const bytes = crypto.getRandomValues(new Uint8Array(6));
    const id = `p-${[...bytes].map((b) => (b % 36).toString(36)).join("")}`;
    if (!products.some((p) => p.id === id)) return id;
  }
}

/** The catalog's fields the form has; the API names them by their path in the catalog (`products.3.name`). */
const PRODUCT_FIELDS = ["name", "description", "unitPrice", "id"];

// ---------------------------------------------------------------------------------------------
// The add and edit pages' actions

type ProductPageResult = { ok: true; redirectTo: string } | FormFailure;

async function createProduct(
  bff: BffContext,
  form: NewProductForm,
  image: File | undefined,
  values: FormValues,
): Promise<ProductPageResult> {
  const saved = await saveProduct(bff, undefined, form, image, values);
  return saved.ok ? { ok: true, redirectTo: `/admin/products?saved=${encodeURIComponent(saved.id)}` } : saved;
}

/** The edit page has two forms: save (with an optional new image) and remove (with a confirmation tick). */
const editProductSchema = z.discriminatedUnion(
  "intent",
  [productFormSchema.extend({ intent: z.literal("save") }), removeProductSchema],
  { error: "不明的操作" },
);

async function updateProduct(
  bff: BffContext,
  id: string | undefined,
  form: z.output<typeof editProductSchema>,
  image: File | undefined,
  values: FormValues,
): Promise<ProductPageResult> {
  if (!id) return { ok: false, values, errors: {}, formError: "找不到這個商品，可能已被刪除。" };
  if (form.intent === "remove") {
    const removed = await changeProducts(bff, { op: "remove", id }, values);
    return removed.ok ? { ok: true, redirectTo: "/admin/products?removed=1" } : removed;
  }
  const saved = await saveProduct(bff, id, form, image, values);
  return saved.ok ? { ok: true, redirectTo: `/admin/products?saved=${encodeURIComponent(saved.id)}` } : saved;
}

// ---------------------------------------------------------------------------------------------
// The routes' page functions

export function loadProductsList(bff: BffContext, request: Request) {
  return ownerPage(bff, request, () => loadProducts(bff, new URL(request.url).searchParams));
}

export function submitProductListChange(bff: BffContext, request: Request) {
  return ownerAction(bff, request, productListFormSchema, (form) =>
    form.data.op === "stock" ? saveStock(bff, form.data, form.values) : changeProducts(bff, form.data, form.values),
  );
}

/**
 * A product form carries one photo (≤ 20 MB, a bigger file told apart with a message by saveProduct); a body beyond
 * FORM_LIMITS.adminWithPhoto is refused (413) before it is read into the Worker's memory.
 */
const PRODUCT_FORM_LIMITS = { maxBytes: FORM_LIMITS.adminWithPhoto };

export function loadNewProduct(bff: BffContext, request: Request) {
  return ownerPage(bff, request, () => ({ ok: true as const }));
}

export function submitNewProduct(bff: BffContext, request: Request) {
  return ownerAction(
    bff,
    request,
    newProductFormSchema,
    async (form, formData, owner) => {
      const result = await createProduct(bff, form.data, imageFile(formData), form.values);
      if (result.ok) throw ownerRedirect(owner, result.redirectTo);
      return result;
    },
    PRODUCT_FORM_LIMITS,
  );
}

/** What the product form's script gets for a photo it sent ahead of the form (to show the upload's progress). */
export type PhotoUploadAnswer = { ok: true; uploadId: string; ready: boolean } | { ok: false; message: string };

/**
 * POST /admin/photos: the photo alone, sent by the product form's script before the form itself (which then
 * carries only the upload id). Without JavaScript the photo travels with the form instead; both go through
 * sendNewPhoto.
 */
export function submitPhotoUpload(bff: BffContext, request: Request) {
  return ownerResourceAction(
    bff,
    request,
    async (formData): Promise<PhotoUploadAnswer> => {
      const file = imageFile(formData);
      if (!file) return { ok: false, message: "請選擇照片。" };
      const photo = await sendNewPhoto(bff, file, undefined);
      return photo.ok ? { ok: true, uploadId: photo.uploadId, ready: Boolean(photo.image) } : photo;
    },
    PRODUCT_FORM_LIMITS,
  );
}

/** GET /admin/photos: nothing to read there; the guard still answers first (401 without a session). */
export async function photoUploadGet(bff: BffContext, request: Request): Promise<Response> {
  const owner = await requireOwner(request, bff, { resource: true });
  const headers = new Headers(owner.headers);
  headers.set("Allow", "POST");
  return Response.json({ message: "照片請用表單上傳（POST）。" }, { status: 405, headers });
}

export function loadProductEditor(bff: BffContext, request: Request, id: string | undefined) {
  return ownerPage(bff, request, () => loadProduct(bff, id));
}

export function submitProductEdit(bff: BffContext, request: Request, id: string | undefined) {
  return ownerAction(
    bff,
    request,
    editProductSchema,
    async (form, formData, owner) => {
      const result = await updateProduct(bff, id, form.data, imageFile(formData), form.values);
      if (result.ok) throw ownerRedirect(owner, result.redirectTo);
      return result;
    },
    PRODUCT_FORM_LIMITS,
  );
}

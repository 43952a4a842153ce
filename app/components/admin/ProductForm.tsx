/**
 * The add / edit product form: a multipart post (the photo travels with it to the BFF, which sends it on to S3),
 * usable without JavaScript. With JavaScript, the owner also sees the upload's progress and a too-large or
 * wrong-type file is pointed out as soon as it is chosen (the server checks again either way).
 */
import { Form, useNavigation, useSubmit } from "@remix-run/react";
import { useRef, useState } from "react";
import type { Product } from "../../../aws/src/contract";
import { MAX_UPLOAD_BYTES } from "../../../aws/src/contract/photos";
import { IMAGE_TYPES } from "../../../aws/src/contract/values";
import { UPLOAD_PROBLEM_MESSAGES } from "../../lib/admin/labels";
import { type FieldErrors, type FormValues, fieldValue } from "../../lib/forms";
import { Field } from "../Field";
import { ProductPhoto } from "../ProductPhoto";
import { buttonClass, CheckboxField, FormMessage } from "./fields";
import { PhotoState } from "./PhotoState";

export function ProductForm({
  product,
  baseline,
  values,
  errors = {},
  formError,
  isNew,
}: {
  product?: Product;
  /** Edit form: the fingerprint of `product` as loaded; a failed save may hand back a newer one in `values`. */
  baseline?: string;
  /** What the owner submitted last time, when it failed: wins over the stored product. */
  values?: FormValues;
  errors?: FieldErrors;
  formError?: string;
  isNew: boolean;
}) {
  const navigation = useNavigation();
  const busy = navigation.state === "submitting";
  const value = (name: string, fallback?: string) => (values ? (fieldValue(values, name) ?? "") : fallback);
  /** A photo an earlier, failed save of this form already sent. */
  const uploadId = fieldValue(values, "uploadId");
  const hasPhoto = Boolean(product?.image || product?.imageKey);
  const available = values ? fieldValue(values, "available") !== undefined : (product?.available ?? true);
  const upload = usePhotoUpload();
  /** Without JavaScript the file travels with the form: say so while it is sent. */
  const sendingWithForm = busy && navigation.formData?.get("image") instanceof File;
  return (
    <Form
      method="post"
      encType="multipart/form-data"
      className="flex max-w-2xl flex-col gap-4"
      noValidate
      onSubmit={upload.onSubmit}
      aria-busy={busy || upload.progress !== undefined}
    >
      {isNew ? null : <input type="hidden" name="intent" value="save" />}
      {uploadId ? <input type="hidden" name="uploadId" value={uploadId} /> : null}
      {isNew ? null : <input type="hidden" name="baseline" value={fieldValue(values, "baseline") ?? baseline ?? ""} />}
      <FormMessage error={formError ?? (Object.keys(errors).length ? "請修正標示的欄位後再儲存。" : undefined)} />
      {isNew ? (
        <Field
          name="id"
          label="商品代號"
          hint="用在網址與購物車，只能用小寫英文字母、數字和連字號，例如 oolong-tea-150g；留空會自動產生。建立後不能修改。"
          defaultValue={value("id")}
          error={errors.id}
          maxLength={48}
        />
      ) : null}
      <Field
        name="name"
        label="商品名稱"
        required
        defaultValue={value("name", product?.name)}
        error={errors.name}
        maxLength={80}
      />
      <Field
        name="description"
        label="商品說明"
        multiline
        rows={5}
        defaultValue={value("description", product?.description)}
        error={errors.description}
        maxLength={2000}
      />
      <Field
        name="unitPrice"
        label="單價（新台幣元）"
        required
        inputMode="numeric"
        hint="整數，不含小數點，例如 450。"
        defaultValue={value("unitPrice", product ? String(product.unitPrice) : undefined)}
        error={errors.unitPrice}
        className="max-w-xs"
      />
      <CheckboxField name="available" label="販售中（取消勾選即標示為售完）" defaultChecked={available} />
      {product && (hasPhoto || product.imageUpload) ? (
        <div>
          <p className="font-medium">目前的圖片</p>
          <ProductPhoto
            product={product}
            alt={`${product.name}的目前圖片`}
            slot="adminForm"
            width={240}
            height={180}
            className="mt-1 h-[180px] w-[240px] rounded border border-stone-300 object-cover"
          />
          <PhotoState product={product} long />
          {isNew || !hasPhoto ? null : <CheckboxField name="removeImage" label="移除圖片" className="mt-2" />}
        </div>
      ) : null}
      {uploadId ? (
        <p className="rounded border border-brand-700 bg-brand-50 p-3 text-sm" role="status">
          剛才選的照片已經上傳，儲存時會使用它；要換別張請重新選擇。
        </p>
      ) : null}
      <Field
        name="image"
        label={hasPhoto || uploadId ? "更換圖片" : "商品圖片"}
        type="file"
        accept={IMAGE_TYPES.join(",")}
        hint={`手機拍的照片直接上傳即可：JPEG、PNG 或 WebP，最大 ${MAX_UPLOAD_BYTES / 1024 / 1024} MB。照片會裁成 4:3 的橫式畫面（保留中央），並移除拍攝地點等資訊。iPhone 的 HEIC 照片請先改成 JPEG。`}
        error={upload.problem ?? errors.image}
        onFileChange={(file) => upload.setProblem(chosenFileProblem(file))}
      />
      {upload.progress ? <UploadProgress progress={upload.progress} /> : null}
      <div>
        <button type="submit" className={buttonClass.primary} disabled={busy || upload.progress !== undefined}>
          {upload.progress || sendingWithForm ? "上傳照片中…" : busy ? "儲存中…" : isNew ? "新增商品" : "儲存變更"}
        </button>
      </div>
    </Form>
  );
}

/** What is wrong with a chosen file that the browser can already tell (its size; HEIC by its name or type). */
function chosenFileProblem(file: File | undefined): string | undefined {
  if (!file) return undefined;
  if (file.size > MAX_UPLOAD_BYTES) return UPLOAD_PROBLEM_MESSAGES.too_large;
  if (/\.(heic|heif)$/i.test(file.name) || /^image\/hei[cf]/.test(file.type)) return UPLOAD_PROBLEM_MESSAGES.heic;
  return undefined;
}

/**
 * With JavaScript, a chosen photo is sent ahead of the form to POST /admin/photos with XMLHttpRequest (fetch
 * reports no upload progress), so the owner sees how much of it has gone; the form is then submitted as usual
 * with the upload's id instead of the file. Without JavaScript the file goes with the form, and the same code on
 * the server sends it on to S3.
 */
function usePhotoUpload() {
  const submit = useSubmit();
  const [progress, setProgress] = useState<{ fraction?: number; phase: "sending" | "processing" }>();
  const [problem, setProblem] = useState<string>();
  const sendingRef = useRef(false);
  const onSubmit = (event: React.FormEvent<HTMLFormElement>) => {
    const form = event.currentTarget;
    const input = form.elements.namedItem("image");
    const file = input instanceof HTMLInputElement ? input.files?.[0] : undefined;
    if (!file || file.size === 0) return;
    event.preventDefault();
    if (sendingRef.current) return;
    const tooEarly = chosenFileProblem(file);
    if (tooEarly) {
      setProblem(tooEarly);
      return;
    }
    sendingRef.current = true;
    setProblem(undefined);
    setProgress({ fraction: 0, phase: "sending" });
    const body = new FormData();
    body.append("image", file);
    const request = new XMLHttpRequest();
    request.open("POST", "/admin/photos");
    request.responseType = "json";
    request.upload.onprogress = (e) => {
      if (e.lengthComputable) setProgress({ fraction: e.loaded / e.total, phase: "sending" });
    };
    request.upload.onload = () => setProgress({ phase: "processing" });
    const finish = (message?: string) => {
      sendingRef.current = false;
      setProgress(undefined);
      if (message) setProblem(message);
    };
    request.onerror = () => finish("照片上傳失敗（連線中斷），請再試一次。");
    request.ontimeout = () => finish("照片上傳逾時，請再試一次。");
    request.onload = () => {
      const answer = request.response as { ok?: boolean; uploadId?: string; message?: string } | null;
      if (!answer?.ok || !answer.uploadId) {
        finish(answer?.message ?? `照片上傳失敗（${request.status}），請再試一次。`);
        return;
      }
      finish();
      const data = new FormData(form);
      data.delete("image");
      data.set("uploadId", answer.uploadId);
      if (input instanceof HTMLInputElement) input.value = "";
      submit(data, { method: "post", encType: "multipart/form-data" });
    };
    request.send(body);
  };
  return { progress, problem, setProblem, onSubmit };
}

/** The photo's way: sent so far (a bar), then made into the sizes the shop needs (an indeterminate bar). */
function UploadProgress({ progress }: { progress: { fraction?: number; phase: "sending" | "processing" } }) {
  const percent = progress.fraction === undefined ? undefined : Math.round(progress.fraction * 100);
  return (
    <div className="flex flex-col gap-1" role="status" aria-live="polite">
      <progress
        className="w-full max-w-md"
        aria-label="照片上傳進度"
        max={100}
        {...(percent === undefined ? {} : { value: percent })}
      />
      <p className="text-sm text-stone-700">
        {progress.phase === "sending"
          ? `照片上傳中${percent === undefined ? "" : `：${percent}%`}，請勿關閉此頁。`
          : "照片已上傳，正在製作商店用的各種尺寸（通常幾秒鐘）…"}
      </p>
    </div>
  );
}

/** The add / edit product form: a multipart post (the image travels with it), usable without JavaScript. */
import { Form, useNavigation } from "@remix-run/react";
import type { Product } from "../../../aws/src/contract";
import { IMAGE_TYPES, MAX_IMAGE_BYTES } from "../../../aws/src/contract/values";
import { type FieldErrors, type FormValues, fieldValue } from "../../lib/forms";
import { Field } from "../Field";
import { buttonClass, CheckboxField, FormMessage } from "./fields";

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
  const busy = useNavigation().state === "submitting";
  const value = (name: string, fallback?: string) => (values ? (fieldValue(values, name) ?? "") : fallback);
  const imageKey = values ? fieldValue(values, "imageKey") : product?.imageKey;
  const available = values ? fieldValue(values, "available") !== undefined : (product?.available ?? true);
  return (
    <Form method="post" encType="multipart/form-data" className="flex max-w-2xl flex-col gap-4" noValidate>
      {isNew ? null : <input type="hidden" name="intent" value="save" />}
      {imageKey ? <input type="hidden" name="imageKey" value={imageKey} /> : null}
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
      {imageKey ? (
        <div>
          <p className="font-medium">目前的圖片</p>
          <img
            src={`/${imageKey}`}
            alt={`${value("name", product?.name) ?? "商品"}的目前圖片`}
            width={240}
            height={180}
            className="mt-1 rounded border border-stone-300 object-cover"
          />
          {isNew ? null : <CheckboxField name="removeImage" label="移除圖片" className="mt-2" />}
        </div>
      ) : null}
      <Field
        name="image"
        label={imageKey ? "更換圖片" : "商品圖片"}
        type="file"
        accept={IMAGE_TYPES.join(",")}
        hint={`JPEG、PNG 或 WebP，最大 ${MAX_IMAGE_BYTES / 1024 / 1024} MB；建議 4:3 的橫式照片。`}
        error={errors.image}
      />
      <div>
        <button type="submit" className={buttonClass.primary} disabled={busy}>
          {busy ? "儲存中…" : isNew ? "新增商品" : "儲存變更"}
        </button>
      </div>
    </Form>
  );
}

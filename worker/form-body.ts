/**
 * Reads a form post's fields for a loader-side action. `request.formData()` throws on a body that is not a form
 * (JSON, plain text, a multipart body without a usable boundary, bytes that do not parse), and Remix turns a thrown
 * error into a 500 — a server error for what is bad input. Every action reads its form through here instead: a
 * body of another type is refused with 415, an unreadable one with 400, each with a reason and no caching.
 */
const FORM_TYPES = new Set(["application/x-www-form-urlencoded", "multipart/form-data"]);

export const UNREADABLE_FORM_MESSAGE = "無法讀取送出的表單，請重新整理頁面後再試一次。";

function refusal(status: 400 | 415): Response {
  return Response.json(
    { ok: false, message: UNREADABLE_FORM_MESSAGE },
    { status, headers: { "Cache-Control": "no-store" } },
  );
}

export async function readForm(request: Request): Promise<FormData> {
  const type = (request.headers.get("Content-Type") ?? "").split(";")[0]!.trim().toLowerCase();
  if (!FORM_TYPES.has(type)) throw refusal(415);
  try {
    return await request.formData();
  } catch {
    throw refusal(400);
  }
}

import { describe, expect, it } from "vitest";
import { readForm, UNREADABLE_FORM_MESSAGE } from "./forms.server";

const post = (body: BodyInit | null, contentType?: string) =>
  new Request("https://shop.example.tw/checkout", {
    method: "POST",
    body,
    ...(contentType ? { headers: { "Content-Type": contentType } } : {}),
  });

async function refused(request: Request): Promise<Response> {
  try {
    await readForm(request);
  } catch (thrown) {
    if (thrown instanceof Response) return thrown;
    throw thrown;
  }
  throw new Error("expected readForm to refuse the body");
}

describe("readForm", () => {
  it("reads urlencoded and multipart forms", async () => {
    const urlencoded = await readForm(post("name=%E7%8E%8B&phone=0912345678", "application/x-www-form-urlencoded"));
    expect(urlencoded.get("name")).toBe("王");
    const multipart = new FormData();
    multipart.append("name", "王");
    multipart.append("image", new Blob([new Uint8Array([1, 2, 3])], { type: "image/png" }), "a.png");
    const read = await readForm(
      new Request("https://shop.example.tw/admin/products/new", { method: "POST", body: multipart }),
    );
    expect(read.get("name")).toBe("王");
    expect(read.get("image")).toBeInstanceOf(File);
  });

  it("refuses a body of another type with 415 (the storefront answered 500 before)", async () => {
    for (const request of [post("{}", "application/json"), post("name=x", "text/plain"), post(null)]) {
      const response = await refused(request);
      expect(response.status).toBe(415);
      expect(response.headers.get("Cache-Control")).toBe("no-store");
      expect(((await response.json()) as { message: string }).message).toBe(UNREADABLE_FORM_MESSAGE);
    }
  });

  it("refuses a form body that does not parse with 400", async () => {
    for (const request of [
      post('--x\r\nContent-Disposition: form-data; name="a"\r\n\r\nb', "multipart/form-data"),
      post("not multipart", "multipart/form-data; boundary=x"),
      post(new Uint8Array([0, 1, 2, 255]), "multipart/form-data; boundary=----b"),
    ]) {
      expect((await refused(request)).status).toBe(400);
    }
  });
});

import { describe, expect, it } from "vitest";
import { FORM_LIMITS, readForm, UNREADABLE_FORM_MESSAGE } from "./forms.server";

const post = (body: BodyInit | null, contentType?: string) =>
  new Request("https://shop.example.tw/checkout", {
    method: "POST",
    body,
    ...(contentType ? { headers: { "Content-Type": contentType } } : {}),
  });

async function refused(request: Request): Promise<Response> {
  try {
    await readForm(request, FORM_LIMITS.shop);
  } catch (thrown) {
    if (thrown instanceof Response) return thrown;
    throw thrown;
  }
  throw new Error("expected readForm to refuse the body");
}

describe("readForm", () => {
  it("reads urlencoded and multipart forms", async () => {
    const urlencoded = await readForm(
      post("name=%E7%8E%8B&phone=0912345678", "application/x-www-form-urlencoded"),
      FORM_LIMITS.shop,
    );
    expect(urlencoded.get("name")).toBe("王");
    const multipart = new FormData();
    multipart.append("name", "王");
    multipart.append("image", new Blob([new Uint8Array([1, 2, 3])], { type: "image/png" }), "a.png");
    const read = await readForm(
      new Request("https://shop.example.tw/admin/products/new", { method: "POST", body: multipart }),
      FORM_LIMITS.adminWithPhoto,
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

  it("refuses a body over the limit with 413 by its Content-Length, before reading a byte of it", async () => {
    let pulled = 0;
    const endless = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulled += 1;
        controller.enqueue(new TextEncoder().encode("a=".padEnd(1024, "x")));
      },
    });
    const request = new Request("https://shop.example.tw/orders", {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded", "Content-Length": String(2 * 1024 * 1024) },
      body: endless,
      // @ts-expect-error workerd's RequestInit needs duplex for a stream body in some versions
      duplex: "half",
    });
    const response = await refused(request);
    expect(response.status).toBe(413);
    expect(response.headers.get("Cache-Control")).toBe("no-store");
    expect(((await response.json()) as { message: string }).message).toContain("16 KB");
    expect(pulled).toBeLessThanOrEqual(1); // a stream may be primed once; nothing was read
  });

  it("refuses a chunked body (no Content-Length) with 413 as soon as it passes the limit, without reading the rest", async () => {
    let sent = 0;
    const chunked = new ReadableStream<Uint8Array>({
      pull(controller) {
        sent += 4096;
        if (sent > 4 * 1024 * 1024) controller.close();
        else controller.enqueue(new TextEncoder().encode("a=".padEnd(4096, "x")));
      },
    });
    const request = new Request("https://shop.example.tw/orders", {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: chunked,
      // @ts-expect-error as above
      duplex: "half",
    });
    expect(request.headers.get("Content-Length")).toBeNull();
    const response = await refused(request);
    expect(response.status).toBe(413);
    expect(sent).toBeLessThan(FORM_LIMITS.shop + 3 * 4096);
  });

  it("reads a body right at the limit, and each kind of form has its own limit", async () => {
    const atLimit = `a=${"x".repeat(FORM_LIMITS.shop - 2)}`;
    const read = await readForm(post(atLimit, "application/x-www-form-urlencoded"), FORM_LIMITS.shop);
    expect((read.get("a") as string).length).toBe(FORM_LIMITS.shop - 2);
    expect((await refused(post(`${atLimit}x`, "application/x-www-form-urlencoded"))).status).toBe(413);
    expect(FORM_LIMITS.shop).toBeLessThan(FORM_LIMITS.admin);
    expect(FORM_LIMITS.adminWithPhoto).toBeGreaterThan(25 * 1024 * 1024);
  });

  it("a photo form takes a 25 MB file to its own check, and refuses a body past 30 MB with the limit in MB", async () => {
    const declared = (bytes: number) =>
      new Request("https://shop.example.tw/admin/products/new", {
        method: "POST",
        headers: { "Content-Type": "multipart/form-data; boundary=x", "Content-Length": String(bytes) },
        body: "--x--",
      });
    const answer = await readForm(declared(FORM_LIMITS.adminWithPhoto + 1), FORM_LIMITS.adminWithPhoto).then(
      () => null,
      (thrown: unknown) => thrown as Response,
    );
    expect(answer?.status).toBe(413);
    expect(((await answer!.json()) as { message: string }).message).toContain("上限 30 MB");
    const photo = new FormData();
    photo.append("image", new Blob([new Uint8Array(25 * 1024 * 1024)], { type: "image/jpeg" }), "big.jpg");
    const read = await readForm(
      new Request("https://shop.example.tw/admin/photos", { method: "POST", body: photo }),
      FORM_LIMITS.adminWithPhoto,
    );
    expect((read.get("image") as File).size).toBe(25 * 1024 * 1024);
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

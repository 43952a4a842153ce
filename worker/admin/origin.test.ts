import { describe, expect, it } from "vitest";
import { checkSameOrigin, isMutation } from "./origin";

const URL_ = "https://shop.example.tw/admin/orders";
const post = (headers: Record<string, string>) => new Request(URL_, { method: "POST", headers });

describe("admin origin check", () => {
  it("lets same-origin browser posts through", () => {
    expect(checkSameOrigin(post({ Origin: "https://shop.example.tw", "Sec-Fetch-Site": "same-origin" }))).toEqual({
      ok: true,
    });
    // Older browsers send only Origin; some privacy tools strip Origin but keep Sec-Fetch-Site.
    expect(checkSameOrigin(post({ Origin: "https://shop.example.tw" })).ok).toBe(true);
    expect(checkSameOrigin(post({ "Sec-Fetch-Site": "same-origin" })).ok).toBe(true);
  });

  it("refuses cross-site, same-site, foreign and null origins, and requests that say nothing", () => {
    const refused: Record<string, string>[] = [
      { Origin: "https://evil.example", "Sec-Fetch-Site": "cross-site" },
      { Origin: "https://evil.example" },
      { "Sec-Fetch-Site": "cross-site" },
      { Origin: "https://stag.example.tw", "Sec-Fetch-Site": "same-site" },
      { Origin: "http://shop.example.tw", "Sec-Fetch-Site": "same-origin" },
      { Origin: "https://shop.example.tw:8443" },
      { Origin: "null" },
      { "Sec-Fetch-Site": "none" },
      {},
    ];
    for (const headers of refused) expect(checkSameOrigin(post(headers)).ok, JSON.stringify(headers)).toBe(false);
  });

  it("treats everything but GET and HEAD as a mutation", () => {
    expect(isMutation(new Request(URL_))).toBe(false);
    expect(isMutation(new Request(URL_, { method: "HEAD" }))).toBe(false);
    for (const method of ["POST", "PUT", "PATCH", "DELETE"])
      expect(isMutation(new Request(URL_, { method }))).toBe(true);
  });
});

import { describe, expect, it } from "vitest";
import { clientKeyFor, networkKey } from "./client-network";

const from = (headers: Record<string, string>) => new Request("https://shop.example.tw/orders", { headers });

describe("the client network a throttle counts", () => {
  it("is an IPv4 address by itself", () => {
    expect(networkKey("203.0.113.9")).toBe("203.0.113.9");
    expect(networkKey(" 203.0.113.9 ")).toBe("203.0.113.9");
    expect(networkKey("203.0.113.10")).not.toBe(networkKey("203.0.113.9"));
  });

  it("is the /64 of an IPv6 address, however the address is written", () => {
    const sameNetwork = [
      "2001:db8:1:2::1",
      "2001:db8:1:2::7",
      "2001:0db8:0001:0002:ffff:ffff:ffff:ffff",
      "2001:DB8:1:2:3:4:5:6",
      "[2001:db8:1:2::9]",
      "2001:db8:1:2::1.2.3.4",
      "2001:db8:1:2:0:0:0:0",
    ];
    expect(new Set(sameNetwork.map(networkKey))).toEqual(new Set(["2001:db8:1:2::/64"]));
    // The next /64 (and the same /64 of another /48) is another client.
    expect(networkKey("2001:db8:1:3::1")).toBe("2001:db8:1:3::/64");
    expect(networkKey("2001:db9:1:2::1")).toBe("2001:db9:1:2::/64");
    expect(networkKey("2001:db8::1")).toBe("2001:db8:0:0::/64");
    expect(networkKey("::1")).toBe("0:0:0:0::/64");
    expect(networkKey("fe80::1%eth0")).toBe("fe80:0:0:0::/64");
    expect(networkKey("1:2:3:4:5:6:7::")).toBe("1:2:3:4::/64");
    expect(networkKey("::2:3:4:5:6:7:8")).toBe("0:2:3:4::/64");
  });

  it("is the IPv4 address inside an IPv4-mapped IPv6 address", () => {
    expect(networkKey("::ffff:203.0.113.9")).toBe("203.0.113.9");
    expect(networkKey("::ffff:cb00:7109")).toBe("203.0.113.9");
  });

  it("keeps anything else apart as its own key, never merged with a real address", () => {
    for (const raw of ["nonsense", "256.1.1.1", "2001:db8::1::2", "1:2:3:4:5:6:7:8:9", "1.2.3", "12345::1"]) {
      expect(networkKey(raw), raw).toBe(`raw:${raw}`);
    }
    expect(networkKey("x".repeat(500))).toHaveLength(4 + 64);
  });

  it("reads Cloudflare's headers: CF-Connecting-IPv6 (pseudo-IPv4 zones) first, then CF-Connecting-IP", () => {
    expect(clientKeyFor(from({ "CF-Connecting-IP": "203.0.113.9" }))).toBe("203.0.113.9");
    expect(clientKeyFor(from({ "CF-Connecting-IP": "2001:db8:1:2::1" }))).toBe("2001:db8:1:2::/64");
    expect(clientKeyFor(from({ "CF-Connecting-IP": "240.16.0.1", "CF-Connecting-IPv6": "2001:db8:1:2::1" }))).toBe(
      "2001:db8:1:2::/64",
    );
    expect(clientKeyFor(from({}))).toBe("local");
  });
});

import { describe, expect, it } from "vitest";
import { testEnv } from "../test/helpers";
import { adminConfig } from "./config";
import { PBKDF2_ITERATIONS, parsePasswordHash, verifyPassword } from "./password";

// Made with `npx tsx scripts/hash-password.ts '<password>'` (the same format ADMIN_PASSWORD_HASH uses).
const ASCII_HASH = "pbkdf2-sha256$100000$45JdsthTSWdJxubikSOKzw==$4kcu/BsI7EdVyZgOMBh7zS37vBT6mA0zOJ8Nhhgr5y4=";
const CHINESE_HASH = "pbkdf2-sha256$100000$sV8mrbc9pSDxFKtLqi9uag==$dgxZBpN9HsY6NR7s0j2nFFXj+FHt3HiGk3ptXhmGhzQ=";

function parsed(raw: string) {
  const result = parsePasswordHash(raw);
  if (!result.ok) throw new Error(result.problem);
  return result.value;
}

describe("admin password", () => {
  it("accepts the password a hash from scripts/hash-password.ts was made from, and nothing else", async () => {
    expect(await verifyPassword("correct horse battery staple", parsed(ASCII_HASH))).toBe(true);
    expect(await verifyPassword("correct horse battery stapl", parsed(ASCII_HASH))).toBe(false);
    expect(await verifyPassword("Correct horse battery staple", parsed(ASCII_HASH))).toBe(false);
    expect(await verifyPassword("", parsed(ASCII_HASH))).toBe(false);
    expect(await verifyPassword("店主的密碼 2026", parsed(CHINESE_HASH))).toBe(true);
    expect(await verifyPassword("店主的密碼 2025", parsed(CHINESE_HASH))).toBe(false);
  });

  it("names what is wrong with a malformed hash without echoing it", () => {
    const cases: [string | undefined, RegExp][] = [
      [undefined, /not set/],
      ["", /not set/],
      ["hunter2", /pbkdf2-sha256\$<iterations>/],
      ["bcrypt$100000$abc$def", /pbkdf2-sha256\$<iterations>/],
      [ASCII_HASH.replace("$100000$", "$1000$"), /100000 iterations/],
      [ASCII_HASH.replace("$100000$", "$600000$"), /100000 iterations/],
      ["pbkdf2-sha256$100000$c2FsdA==$4kcu/BsI7EdVyZgOMBh7zS37vBT6mA0zOJ8Nhhgr5y4=", /salt/],
      ["pbkdf2-sha256$100000$45JdsthTSWdJxubikSOKzw==$aGFzaA==", /hash of 32 bytes/],
      ["pbkdf2-sha256$100000$45JdsthTSWdJxubikSOKzw==$not base64!", /hash of 32 bytes/],
    ];
    for (const [raw, problem] of cases) {
      const result = parsePasswordHash(raw);
      expect(result.ok, String(raw)).toBe(false);
      if (!result.ok) {
        expect(result.problem).toMatch(problem);
        if (raw) expect(result.problem).not.toContain(raw.split("$")[3] ?? raw);
      }
    }
    expect(PBKDF2_ITERATIONS).toBe(100_000);
  });

  it("disables the admin (not the shop) without a usable hash", () => {
    const quiet = console.error;
    console.error = () => {};
    try {
      expect(adminConfig(testEnv({ APP_ENV: "production", ADMIN_PASSWORD_HASH: undefined }))).toEqual({
        ok: false,
        problem: "ADMIN_PASSWORD_HASH is not set",
      });
      expect(adminConfig(testEnv({ APP_ENV: "production", ADMIN_PASSWORD_HASH: "nonsense" })).ok).toBe(false);
    } finally {
      console.error = quiet;
    }
    const ok = adminConfig(testEnv({ ADMIN_PASSWORD_HASH: ASCII_HASH }));
    expect(ok.ok && ok.access).toBeNull();
    const behindAccess = adminConfig(
      testEnv({
        ADMIN_PASSWORD_HASH: ASCII_HASH,
        CF_ACCESS_TEAM_DOMAIN: "shop.cloudflareaccess.com",
        CF_ACCESS_AUD: "b".repeat(64),
      }),
    );
    expect(behindAccess.ok && behindAccess.access).toEqual({
      teamOrigin: "https://shop.cloudflareaccess.com",
      aud: "b".repeat(64),
    });
  });
});

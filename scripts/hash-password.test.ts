import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { hashPassword, MIN_PASSWORD_LENGTH, passwordProblem } from "./hash-password";

const SCRIPT = fileURLToPath(new URL("./hash-password.ts", import.meta.url));
const run = (args: string[], input: string) =>
  spawnSync(process.execPath, ["--import", "tsx", SCRIPT, ...args], { input, encoding: "utf8", timeout: 20_000 });

describe("scripts/hash-password.ts", () => {
  it("hashes a password read from stdin (one trailing newline dropped) into the ADMIN_PASSWORD_HASH format", async () => {
    const password = "correct horse battery staple";
    const result = run([], `${password}\n`);
    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
    const hash = result.stdout.trim();
    const [scheme, iterations, salt] = hash.split("$");
    expect([scheme, iterations]).toEqual(["pbkdf2-sha256", "100000"]);
    expect(await hashPassword(password, new Uint8Array(Buffer.from(salt!, "base64")))).toBe(hash);
  });

  it("refuses a password on the command line, and prints no hash", () => {
    const result = run(["correct horse battery staple"], "");
    expect(result.status).toBe(2);
    expect(result.stdout).toBe("");
    expect(result.stderr).toContain("not taken from the command line");
  });

  it(`refuses a password shorter than ${MIN_PASSWORD_LENGTH} characters (counted as characters, not bytes)`, () => {
    const result = run([], "elevenchars");
    expect(result.status).toBe(2);
    expect(result.stdout).toBe("");
    expect(result.stderr).toContain("the password has 11 characters; use at least 12");
    expect(passwordProblem("x".repeat(MIN_PASSWORD_LENGTH - 1))).toMatch(/at least 12/);
    expect(passwordProblem("x".repeat(MIN_PASSWORD_LENGTH))).toBeNull();
    expect(passwordProblem("密碼密碼密碼密碼密碼密")).toMatch(/11 characters/);
    expect(passwordProblem("two\nlines of password")).toMatch(/one line/);
  });
});

import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";

/** Files that hold secrets by convention must never be committed, whatever their suffix. */
describe(".gitignore", () => {
  it("ignores every .dev.vars and .env file, in any folder", () => {
    const secrets = [
      ".dev.vars",
      ".dev.vars.production",
      ".dev.vars.preview",
      ".env",
      ".env.local",
      ".env.production",
      "aws/.env",
    ];
    const result = spawnSync("git", ["check-ignore", "--no-index", "--verbose", ...secrets], { encoding: "utf8" });
    const ignored = result.stdout
      .trim()
      .split("\n")
      .map((line) => line.split("\t")[1]);
    expect(ignored).toEqual(secrets);
  });
});

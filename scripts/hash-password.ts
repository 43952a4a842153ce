/**
 * Makes the ADMIN_PASSWORD_HASH secret from a password, read from a hidden prompt or from stdin, never from the
 * command line (where shell history and `ps` would keep it):
 *
 *     npx tsx scripts/hash-password.ts                        # asks twice, without echo
 *     printf '%s' "$PASSWORD" | npx tsx scripts/hash-password.ts
 *
 * Format `pbkdf2-sha256$<iterations>$<salt base64>$<hash base64>`; 100,000 iterations is the most the Workers
 * runtime's PBKDF2 accepts, so the password's own length is what makes a leaked hash hard to reverse: at least
 * MIN_PASSWORD_LENGTH characters, and a long random one is best (README, Configuration).
 */
import { promptHidden } from "./lib/prompt";

export const PBKDF2_ITERATIONS = 100_000;
export const MIN_PASSWORD_LENGTH = 12;

export async function hashPassword(password: string, salt = crypto.getRandomValues(new Uint8Array(16))): Promise<string> {
  const key = await crypto.subtle.importKey("raw", new TextEncoder().encode(password), "PBKDF2", false, ["deriveBits"]);
  const bits = await crypto.subtle.deriveBits({ name: "PBKDF2", hash: "SHA-256", salt, iterations: PBKDF2_ITERATIONS }, key, 256);
  const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString("base64");
  return `pbkdf2-sha256$${PBKDF2_ITERATIONS}$${b64(salt)}$${b64(new Uint8Array(bits))}`;
}

/** Why a password cannot be the owner's, or null when it can. Length counts characters, not bytes. */
export function passwordProblem(password: string): string | null {
  if (/[\r\n]/.test(password)) return "the password must be one line";
  const length = Array.from(password).length;
  if (length < MIN_PASSWORD_LENGTH) return `the password has ${length} characters; use at least ${MIN_PASSWORD_LENGTH}`;
  return null;
}

async function readStdin(): Promise<string> {
  let text = "";
  for await (const chunk of process.stdin) text += chunk;
  return text.replace(/\r?\n$/, "");
}

async function main(): Promise<number> {
  if (process.argv.length > 2) {
    console.error("The password is not taken from the command line (shell history and `ps` would keep it).");
    console.error("Run `npx tsx scripts/hash-password.ts` and type it, or pipe it in on stdin.");
    return 2;
  }
  let password: string;
  if (process.stdin.isTTY) {
    password = await promptHidden("Owner password: ");
    if ((await promptHidden("Again: ")) !== password) {
      console.error("The two passwords differ.");
      return 2;
    }
  } else {
    password = await readStdin();
  }
  const problem = passwordProblem(password);
  if (problem) {
    console.error(`Refused: ${problem}.`);
    return 2;
  }
  console.log(await hashPassword(password));
  return 0;
}

if (import.meta.url === `file://${process.argv[1]}`) process.exitCode = await main();

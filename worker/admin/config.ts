/**
 * Whether the admin may run at all, decided from the validated env once per isolate. A missing or malformed
 * ADMIN_PASSWORD_HASH disables only the admin (every /admin route answers 503 and says why); the shop keeps
 * selling. This holds in every environment; locally `npm start` always sets the hash.
 */
import type { Env } from "../env";
import { type PasswordHash, parsePasswordHash } from "./password";

export interface AccessSettings {
  /** `https://<team>.cloudflareaccess.com`: the tokens' issuer and where the signing keys are published. */
  teamOrigin: string;
  aud: string;
}

type AdminConfig = { ok: true; password: PasswordHash; access: AccessSettings | null } | { ok: false; problem: string };

type AdminEnv = Pick<Env, "ADMIN_PASSWORD_HASH" | "CF_ACCESS_TEAM_DOMAIN" | "CF_ACCESS_AUD">;

const memo = new WeakMap<AdminEnv, AdminConfig>();

export function adminConfig(env: AdminEnv): AdminConfig {
  const cached = memo.get(env);
  if (cached) return cached;
  const parsed = parsePasswordHash(env.ADMIN_PASSWORD_HASH);
  const config: AdminConfig = parsed.ok
    ? {
        ok: true,
        password: parsed.value,
        access:
          env.CF_ACCESS_TEAM_DOMAIN && env.CF_ACCESS_AUD
            ? { teamOrigin: env.CF_ACCESS_TEAM_DOMAIN, aud: env.CF_ACCESS_AUD }
            : null,
      }
    : { ok: false, problem: parsed.problem };
  if (!config.ok) console.error(JSON.stringify({ at: "admin", problem: "admin_disabled", detail: config.problem }));
  memo.set(env, config);
  return config;
}

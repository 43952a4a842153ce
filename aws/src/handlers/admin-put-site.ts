import { adminSiteSchema } from "../contract";
import { readSiteRevision, writeSiteStatus } from "../lib/content";
import { ApiError, json, jsonBody, jsonEndpoint, parseWith } from "../lib/http";

/** Settings a form may leave out (the open/closed switch shows none of them): kept as stored at its revision. */
const KEPT_WHEN_ABSENT = ["shipping", "pickup", "einvoice"] as const;

export const handler = jsonEndpoint("admin-put-site", async (event) => {
  const { revision, ...site } = parseWith(adminSiteSchema, jsonBody(event), "site status");
  const absent = KEPT_WHEN_ABSENT.filter((key) => site[key] === undefined);
  if (absent.length > 0 && revision !== null) {
    const stored = await readSiteRevision();
    if (stored.revision !== revision) {
      throw new ApiError("conflict", `site.json changed since revision ${revision} was read; reload and apply the change again`);
    }
    for (const key of absent) {
      if (stored.site[key] !== undefined) Object.assign(site, { [key]: stored.site[key] });
    }
  }
  const saved = await writeSiteStatus(site, revision);
  return json(200, { ...saved.site, revision: saved.revision });
});

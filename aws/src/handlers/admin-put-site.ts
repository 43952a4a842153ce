import { adminSiteSchema } from "../contract";
import { readSiteRevision, writeSiteStatus } from "../lib/content";
import { ApiError, json, jsonBody, jsonEndpoint, parseWith } from "../lib/http";

export const handler = jsonEndpoint("admin-put-site", async (event) => {
  const { revision, ...site } = parseWith(adminSiteSchema, jsonBody(event), "site status");
  if (site.shipping === undefined && revision !== null) {
    // A form that does not show the fees (the open/closed switch) keeps the ones stored at the revision it read.
    const stored = await readSiteRevision();
    if (stored.revision !== revision) {
      throw new ApiError("conflict", `site.json changed since revision ${revision} was read; reload and apply the change again`);
    }
    if (stored.site.shipping) site.shipping = stored.site.shipping;
  }
  const saved = await writeSiteStatus(site, revision);
  return json(200, { ...saved.site, revision: saved.revision });
});

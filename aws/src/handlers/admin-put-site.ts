import { adminSiteSchema } from "../contract";
import { writeSiteStatus } from "../lib/content";
import { json, jsonBody, jsonEndpoint, parseWith } from "../lib/http";

export const handler = jsonEndpoint("admin-put-site", async (event) => {
  const { revision, ...site } = parseWith(adminSiteSchema, jsonBody(event), "site status");
  const saved = await writeSiteStatus(site, revision);
  return json(200, { ...saved.site, revision: saved.revision });
});

import { adminSiteSchema } from "../contract";
import { writeSiteStatus } from "../lib/content";
import { json, jsonBody, jsonEndpoint, parseWith } from "../lib/http";

export const handler = jsonEndpoint("admin-put-site", async (event) => {
  const site = parseWith(adminSiteSchema, jsonBody(event), "site status");
  return json(200, await writeSiteStatus(site));
});

import { readSiteRevision } from "../lib/content";
import { json, jsonEndpoint } from "../lib/http";

export const handler = jsonEndpoint("admin-get-site", async () => {
  const { site, revision } = await readSiteRevision();
  return json(200, { ...site, revision });
});

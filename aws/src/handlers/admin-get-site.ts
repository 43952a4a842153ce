import { readSiteStatus } from "../lib/content";
import { json, jsonEndpoint } from "../lib/http";

export const handler = jsonEndpoint("admin-get-site", async () => json(200, await readSiteStatus()));

import type { LoaderFunctionArgs } from "@remix-run/cloudflare";
import { robotsResponse } from "../lib/catalog.server";

export const loader = ({ context }: LoaderFunctionArgs) => robotsResponse(context.cloudflare);

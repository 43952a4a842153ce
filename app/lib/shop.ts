/** Shop identity used in titles, headers and meta; one place to rename the shop. */
export const SHOP_NAME = "小島良品";
export const SHOP_TAGLINE = "在地小農與職人的好東西，從產地直送到你家。";

/** What the error boundary receives with a 503, to tell "closed by the owner" from "we have a problem". */
export type ServiceUnavailableData = { reason: "closed"; message: string } | { reason: "unavailable" };

export const DEFAULT_CLOSED_MESSAGE = "商店暫停營業中，造成不便敬請見諒。";

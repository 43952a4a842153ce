/**
 * The carriers the owner ships with, as shoppers know them, and where a shopper can follow a parcel. Shared by the
 * emails (Lambda) and the order pages (edge).
 */
import type { Carrier } from "../contract";
import { CVS_CHAIN_NAMES } from "./pickup";

export const CARRIER_NAMES: Record<Carrier, string> = {
  tcat: "黑貓宅急便",
  hct: "新竹物流",
  post: "郵局",
  ...CVS_CHAIN_NAMES,
  other: "其他",
};

/**
 * A page that shows this parcel, or the carrier's own search page when it takes no number in the address (新竹物流
 * and 郵局 ask for it, with a CAPTCHA, on the page); `deep` says whether the number is already filled in.
 */
export function trackingLink(carrier: Carrier, trackingNumber: string): { url: string; deep: boolean } | null {
  switch (carrier) {
    case "tcat":
      return { url: `https://www.t-cat.com.tw/Inquire/TraceDetail.aspx?BillID=${encodeURIComponent(trackingNumber)}`, deep: true };
    case "hct":
      return { url: "https://www.hct.com.tw/Search/SearchGoods_n.aspx", deep: false };
    case "post":
      return { url: "https://postserv.post.gov.tw/pstmail/main_mail.html", deep: false };
    // The chains' parcel searches ask for the number (and a CAPTCHA) on the page.
    case "unimart":
      return { url: "https://eservice.7-11.com.tw/e-tracking/search.aspx", deep: false };
    case "fami":
      return { url: "https://fmec.famiport.com.tw/FP_Entrance/QueryBox", deep: false };
    case "hilife":
      return { url: "https://www.hilife.com.tw/serviceInfo_search.aspx", deep: false };
    case "okmart":
      return { url: "https://ecservice.okmart.com.tw/Tracking/Search", deep: false };
    default:
      return null;
  }
}

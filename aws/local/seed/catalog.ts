/**
 * The sample shop a fresh `npm start` opens with: Taiwanese teas and snacks with real TWD prices.
 */
import type { Catalog, SiteStatus } from "../../src/contract";
import { type Rgb, productPicture } from "./png";

interface SeedProduct {
  id: string;
  name: string;
  description: string;
  unitPrice: number;
  available: boolean;
  picture: { background: [Rgb, Rgb]; subject: Rgb };
}

export const SEED_PRODUCTS: SeedProduct[] = [
  {
    id: "dongding-oolong",
    name: "凍頂烏龍茶 150g",
    description: "南投鹿谷凍頂山的焙火烏龍，茶湯金黃、帶熟果與焙香，回甘持久。",
    unitPrice: 450,
    available: true,
    picture: { background: [[244, 236, 220], [222, 205, 176]], subject: [120, 86, 40] },
  },
  {
    id: "alishan-high-mountain-tea",
    name: "阿里山高山茶 150g",
    description: "海拔 1,400 公尺以上的青心烏龍，花香清揚、茶湯甘甜，冷泡熱泡皆宜。",
    unitPrice: 680,
    available: true,
    picture: { background: [[230, 242, 230], [190, 220, 196]], subject: [70, 130, 70] },
  },
  {
    id: "pineapple-cake",
    name: "土鳳梨酥 10 入",
    description: "關廟土鳳梨手工熬煮內餡，酸甜帶纖維，奶油酥皮每日現烤。",
    unitPrice: 380,
    available: true,
    picture: { background: [[255, 246, 222], [250, 226, 170]], subject: [218, 160, 50] },
  },
  {
    id: "dried-mango",
    name: "愛文芒果乾 200g",
    description: "屏東枋山愛文芒果低溫烘乾，無添加糖，果香濃郁。",
    unitPrice: 250,
    available: true,
    picture: { background: [[255, 238, 226], [250, 206, 176]], subject: [235, 120, 40] },
  },
  {
    id: "peanut-nougat",
    name: "花生牛軋糖 300g",
    description: "雲林花生與法式蛋白霜，軟Q不黏牙。季節限定，已售完。",
    unitPrice: 220,
    available: false,
    picture: { background: [[246, 244, 240], [226, 222, 214]], subject: [236, 230, 214] },
  },
];

export const SEED_SITE: SiteStatus = {
  open: true,
  announcement: "全館滿 NT$1,500 免運，12/20 前下單年節前到貨。",
};

/** Builds the catalog and its images; `imageKey` is supplied by whoever stores the image bytes. */
export function seedContent(storeImage: (id: string, png: Buffer) => string): Catalog {
  return {
    products: SEED_PRODUCTS.map((p, index) => ({
      id: p.id,
      name: p.name,
      description: p.description,
      unitPrice: p.unitPrice,
      available: p.available,
      sortOrder: (index + 1) * 10,
      imageKey: storeImage(p.id, productPicture(p.picture.background, p.picture.subject)),
    })),
  };
}

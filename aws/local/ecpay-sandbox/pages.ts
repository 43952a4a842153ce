/**
 * The sandbox's HTML: plain server-rendered forms that work without JavaScript, in zh-TW with
 * English in brackets so both the shop owner and automated browser tests can read them.
 */
import type { SandboxTrade } from "./index";

export const TEST_CARD = { number: "4311952222222222", display: "4311-9522-2222-2222", cvv: "222" } as const;

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

const twd = (n: number) => `NT$${String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ",")}`;

export function layout(title: string, body: string): string {
  return `<!doctype html>
<html lang="zh-TW">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>${escapeHtml(title)} · ECPay 本機測試環境</title>
<style>
  body { font-family: system-ui, "Noto Sans TC", sans-serif; max-width: 36rem; margin: 2rem auto; padding: 0 1rem; color: #1a1a1a; line-height: 1.5; }
  header { border-bottom: 3px solid #00a870; margin-bottom: 1rem; font-weight: 600; }
  dl { display: grid; grid-template-columns: max-content 1fr; gap: .25rem 1rem; }
  dt { color: #555; } dd { margin: 0; font-variant-numeric: tabular-nums; }
  label { display: block; margin-top: .75rem; font-weight: 600; }
  input { font-size: 1.1rem; padding: .4rem; width: 100%; box-sizing: border-box; }
  button, .button { margin-top: 1rem; font-size: 1.1rem; padding: .6rem 1.2rem; background: #00a870; color: #fff; border: 0; border-radius: 4px; cursor: pointer; text-decoration: none; display: inline-block; }
  .hint { color: #555; font-size: .9rem; }
  [role="alert"] { background: #fde8e8; border-left: 4px solid #c81e1e; padding: .5rem 1rem; }
  .ok { background: #e6f6ef; border-left: 4px solid #00a870; padding: .5rem 1rem; }
  code { font-size: 1.2rem; }
</style>
</head>
<body>
<header>ECPay 綠界 · 本機測試環境 (local sandbox, not real payments)</header>
<main>
${body}
</main>
</body>
</html>
`;
}

export function errorPage(code: string, message: string): string {
  return layout(
    "交易失敗",
    `<h1>交易失敗 (Transaction failed)</h1>
<p role="alert">錯誤代碼 <strong data-error-code="${escapeHtml(code)}">${escapeHtml(code)}</strong>：${escapeHtml(message)}</p>`,
  );
}

function summary(trade: SandboxTrade): string {
  const items = trade.itemName
    .split("#")
    .map((line) => `<li>${escapeHtml(line)}</li>`)
    .join("");
  return `<dl>
<dt>特店訂單編號</dt><dd>${escapeHtml(trade.merchantTradeNo)}</dd>
<dt>綠界交易編號</dt><dd>${escapeHtml(trade.tradeNo)}</dd>
<dt>應付金額</dt><dd>${twd(trade.totalAmount)}</dd>
</dl>
<h2>商品明細 (Items)</h2>
<ul>${items}</ul>`;
}

function backToShop(trade: SandboxTrade): string {
  return trade.clientBackUrl ? `<p><a class="button" href="${escapeHtml(trade.clientBackUrl)}">返回商店 (Back to shop)</a></p>` : "";
}

export function creditPage(trade: SandboxTrade, failure?: string): string {
  const alert = failure ? `<p role="alert">${escapeHtml(failure)}</p>` : "";
  return layout(
    "信用卡付款",
    `<h1>信用卡付款 (Credit card)</h1>
${alert}
${summary(trade)}
<form method="post" action="/Payment/${escapeHtml(trade.tradeNo)}/credit">
  <p class="hint" id="card-hint">測試卡號 ${TEST_CARD.display}，安全碼 ${TEST_CARD.cvv}，有效期限填任一未來月份。(Test card only.)</p>
  <label for="cardNumber">信用卡卡號 (Card number)</label>
  <input id="cardNumber" name="cardNumber" inputmode="numeric" autocomplete="cc-number" aria-describedby="card-hint" required>
  <label for="expiry">有效期限 MM/YY (Expiry)</label>
  <input id="expiry" name="expiry" placeholder="MM/YY" autocomplete="cc-exp" required>
  <label for="cvv">背面末三碼 CVV (Security code)</label>
  <input id="cvv" name="cvv" inputmode="numeric" autocomplete="cc-csc" maxlength="4" required>
  <button type="submit">確認付款 ${twd(trade.totalAmount)} (Pay)</button>
</form>
${backToShop(trade)}`,
  );
}

/** Hidden inputs carry the exact signed values; escaping keeps `"` or `<` from changing them (and the MAC). */
function hiddenInputs(fields: Record<string, string>): string {
  return Object.entries(fields)
    .map(([k, v]) => `<input type="hidden" name="${escapeHtml(k)}" value="${escapeHtml(v)}">`)
    .join("\n  ");
}

export function atmPage(trade: SandboxTrade, clientRedirect?: { url: string; fields: Record<string, string> }): string {
  const atm = trade.atm;
  if (!atm) throw new Error("ATM page for a trade without a virtual account");
  const paid = trade.status === "paid";
  const back = clientRedirect
    ? `<form method="post" action="${escapeHtml(clientRedirect.url)}">
  ${hiddenInputs(clientRedirect.fields)}
  <button type="submit">返回商店 (Back to shop)</button>
</form>`
    : backToShop(trade);
  const action = paid
    ? `<p class="ok">已付款 (Paid) ${escapeHtml(trade.paymentDate)}</p>`
    : `<form method="post" action="/Payment/${escapeHtml(trade.tradeNo)}/simulate">
  <p class="hint">本機測試環境沒有真正的 ATM；按下按鈕會像綠界後台的「模擬付款」一樣通知商店 (SimulatePaid=1)。</p>
  <button type="submit">模擬付款 (Simulate payment)</button>
</form>`;
  return layout(
    "ATM 轉帳資訊",
    `<h1>ATM 虛擬帳號已產生 (Virtual account issued)</h1>
${summary(trade)}
<h2>轉帳資訊 (Transfer details)</h2>
<dl>
<dt>銀行代碼</dt><dd><code>${escapeHtml(atm.bankCode)}</code> ${escapeHtml(atm.bankName)}</dd>
<dt>虛擬帳號</dt><dd><code>${escapeHtml(atm.vAccount)}</code></dd>
<dt>轉帳金額</dt><dd>${twd(trade.totalAmount)}</dd>
<dt>繳費期限</dt><dd>${escapeHtml(atm.expireDate)} 23:59</dd>
</dl>
${action}
${back}`,
  );
}

/** The browser hand-off to OrderResultURL: a real form, auto-submitted only as a convenience. */
export function autoPostPage(url: string, fields: Record<string, string>): string {
  return layout(
    "付款完成",
    `<h1>付款完成 (Payment complete)</h1>
<p class="ok">交易成功，正在返回商店… (Returning to the shop.)</p>
<form method="post" action="${escapeHtml(url)}">
  ${hiddenInputs(fields)}
  <button type="submit">返回商店 (Back to shop)</button>
</form>
<script>document.forms[0].submit()</script>`,
  );
}

export function resultPage(trade: SandboxTrade, message: string): string {
  return layout(
    "付款結果",
    `<h1>付款結果 (Payment result)</h1>
<p class="ok">${escapeHtml(message)}</p>
${summary(trade)}
${backToShop(trade)}`,
  );
}

export function indexPage(baseUrl: string, merchantIds: readonly string[]): string {
  return layout(
    "ECPay sandbox",
    `<h1>ECPay 本機測試環境</h1>
<p>Checkout: <code>POST ${escapeHtml(baseUrl)}/Cashier/AioCheckOut/V5</code></p>
<p>Query: <code>POST ${escapeHtml(baseUrl)}/Cashier/QueryTradeInfo/V5</code></p>
<p>Merchants: ${merchantIds.map((m) => `<code>${escapeHtml(m)}</code>`).join(", ")}</p>
<p><a href="/__sandbox/trades">/__sandbox/trades</a> · <a href="/__sandbox/deliveries">/__sandbox/deliveries</a> · <a href="/__sandbox/config">/__sandbox/config</a></p>`,
  );
}

// @ts-check
/**
 * The storefront's only JavaScript, on the pages whose route declares `scripts: "enhance"` (app/lib/page-scripts.ts):
 * checkout, the order page and pay again. Plain DOM code on top of server-rendered HTML that works without it; each
 * behaviour is switched on by a data attribute a component renders, and every word shown comes from the page.
 * Served as its own fingerprinted file (imported with `?url` by root.tsx), so the CSP needs no inline script.
 *
 *   form[data-autosubmit="<key>"]   the ECPay hand-off (components/EcpayHandoff.tsx) submits itself once per
 *                                   checkout attempt: coming Back to the page does not submit again (ECPay refuses a
 *                                   MerchantTradeNo it has seen); [data-handoff-status] then says data-returned.
 *   button[data-copy="<value>"]     copy buttons (components/CopyButton.tsx) are rendered hidden; shown here when the
 *                                   browser can copy, they say data-copied / data-failed in the [role=status] beside.
 *   button[data-busy-label]         the form's submit button says this while the form is being sent, and a second
 *                                   press sends nothing (the server would answer a repeat with the same order anyway).
 */

/** @param {HTMLElement | null} element @param {string | undefined} text */
function say(element, text) {
  if (element && text !== undefined) element.textContent = text;
}

// ---------------------------------------------------------------------------------------------
// The ECPay hand-off

for (const form of document.querySelectorAll("form[data-autosubmit]")) {
  if (!(form instanceof HTMLFormElement)) continue;
  const found = document.querySelector("[data-handoff-status]");
  const status = found instanceof HTMLElement ? found : null;
  const key = `ecpay-handoff:${form.dataset.autosubmit}`;
  let seen = false;
  try {
    seen = window.sessionStorage.getItem(key) !== null;
    window.sessionStorage.setItem(key, String(Date.now()));
  } catch {
    // Storage can be off (private mode): submitting once per page load is still right.
  }
  if (seen) {
    say(status, status?.dataset.returned);
  } else {
    say(status, status?.dataset.submitting);
    form.submit();
  }
  // Back from ECPay may restore this very page from the back/forward cache, without running this script again.
  window.addEventListener("pageshow", (event) => {
    if (event.persisted) say(status, status?.dataset.returned);
  });
}

// ---------------------------------------------------------------------------------------------
// Copy buttons

for (const button of document.querySelectorAll("button[data-copy]")) {
  if (!(button instanceof HTMLButtonElement) || !navigator.clipboard) continue;
  const status = button.parentElement?.querySelector('[role="status"]');
  const statusElement = status instanceof HTMLElement ? status : null;
  /** @type {number | undefined} */
  let timer;
  button.hidden = false;
  button.addEventListener("click", async () => {
    try {
      await navigator.clipboard.writeText(button.dataset.copy ?? "");
      say(statusElement, button.dataset.copied);
    } catch {
      say(statusElement, button.dataset.failed);
    }
    window.clearTimeout(timer);
    timer = window.setTimeout(() => say(statusElement, ""), 3000);
  });
}

// ---------------------------------------------------------------------------------------------
// Busy submit buttons

/** @type {Map<HTMLButtonElement, string>} */
const idleLabels = new Map();

document.addEventListener("submit", (event) => {
  const form = event.target;
  if (!(form instanceof HTMLFormElement)) return;
  const button = form.querySelector("button[data-busy-label]");
  if (!(button instanceof HTMLButtonElement)) return;
  if (idleLabels.has(button)) {
    event.preventDefault();
    return;
  }
  idleLabels.set(button, button.textContent ?? "");
  button.setAttribute("aria-disabled", "true");
  say(button, button.dataset.busyLabel);
});

// A page restored from the back/forward cache shows its buttons ready again.
window.addEventListener("pageshow", (event) => {
  if (!event.persisted) return;
  for (const [button, label] of idleLabels) {
    button.removeAttribute("aria-disabled");
    say(button, label);
  }
  idleLabels.clear();
});

// kasse POS cashier page: the server owns the cart and every amount; this only sends taps and draws state.
"use strict";
(function () {
  const terminal = document.body.dataset.terminal;
  const api = "/pos/api/terminals/" + encodeURIComponent(terminal);
  const $ = (id) => document.getElementById(id);
  const BADGES = { pending: "Waiting for customer", paid: "Paid", mismatch: "Amount mismatch",
                   failed: "Not paid", cancelled: "Cancelled" };
  const OFFLINE_AFTER = 2500;  // ms without the live stream before the till says it is offline (it reconnects each 25 s)
  let paying = false;  // a payment request is on its way: a second tap must not send another
  let errorKind = "";  // "connection" errors end when the server answers again; others when the sale moves on
  let shownSale = "";  // reference and status of the sale drawn last

  function el(tag, cls, text) {
    const node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  // the CSRF token the server set in a cookie, sent back with every change (the page cannot be posted to from elsewhere)
  function csrf() {
    const found = document.cookie.match(/(?:^|;\s*)kasse_csrf=([^;]+)/);
    return found ? decodeURIComponent(found[1]) : "";
  }

  function showError(text, kind) {
    $("error").textContent = text || "";
    $("error").hidden = !text;
    errorKind = text ? (kind || "refused") : "";
  }

  function setOffline(offline) {
    $("offline").hidden = !offline;
    document.body.classList.toggle("offline", offline);
    if (!offline && errorKind === "connection") showError("");
  }

  function drawCart(cart, locked) {
    const list = $("lines");
    list.replaceChildren();
    for (const line of cart.lines) {
      const li = el("li", "line");
      const name = el("div", "lname");
      name.append(el("span", "", line.name), el("small", "muted", line.unitPrice + " · VAT " + line.vatRate));
      const qty = el("div", "qty");
      const minus = el("button", "step", "−");
      const plus = el("button", "step", "+");
      minus.dataset.delta = "-1"; plus.dataset.delta = "1";
      minus.dataset.product = plus.dataset.product = line.id;
      minus.disabled = plus.disabled = locked;
      qty.append(minus, el("span", "n", String(line.quantity)), plus);
      li.append(name, qty, el("span", "ltotal", line.total));
      list.append(li);
    }
    $("empty").hidden = cart.lines.length > 0;
    $("cart-count").textContent = cart.count ? String(cart.count) : "";
    $("total").textContent = cart.total;
    $("vat").textContent = cart.vat;
  }

  function drawSale(sale) {
    const box = $("status");
    box.hidden = !sale;
    if (!sale) return;
    box.dataset.status = sale.status;
    $("status-badge").textContent = sale.label || BADGES[sale.status] || sale.status;
    $("status-badge").className = "badge " + sale.status;
    $("status-ref").textContent = "Receipt " + sale.receiptNumber + " · " + sale.methodName +
      (sale.customer ? " · " + sale.customer : "");
    $("status-amount").textContent = sale.status === "paid" || sale.status === "mismatch"
      ? "Captured " + sale.captured + " of " + sale.total : sale.total;
    $("status-message").textContent = sale.message;
    $("cancel").hidden = sale.settled;
    $("done").hidden = !sale.settled;
  }

  let current = JSON.parse($("initial").textContent);
  function draw(state) {
    if (state) current = state;
    drawState(current);
  }

  function drawState(state) {
    const pending = !!(state.sale && !state.sale.settled);
    const now = state.sale ? state.sale.reference + ":" + state.sale.status : "";
    if (now !== shownSale && errorKind) showError("");  // the sale moved on: an error about what came before is stale
    shownSale = now;
    drawCart(state.cart, pending);
    drawSale(state.sale);
    const locked = pending || paying;
    document.querySelectorAll(".method").forEach((b) => { b.disabled = locked || !state.cart.lines.length; });
    document.querySelectorAll(".product").forEach((b) => { b.disabled = locked; });
    document.querySelectorAll("#phone-form button, #clear").forEach((b) => { b.disabled = locked; });
    $("clear").title = locked ? "A payment is in progress: cancel it first" : "";
    if (pending) { $("scan-form").hidden = true; $("phone-form").hidden = true; }
  }

  // one request at a time, in order: quick taps queue up instead of being lost
  let queue = Promise.resolve();
  function post(path, body) {
    queue = queue.then(() => send(path, body));
    return queue;
  }

  async function send(path, body) {
    try {
      const response = await fetch(api + path, { method: "POST", body: JSON.stringify(body || {}),
                                                 headers: { "content-type": "application/json", "x-csrf-token": csrf() } });
      if (response.status === 401) {  // the sign-in ended (signed out elsewhere, or the shift's 12 hours are over)
        window.location.href = "/pos/signin?next=" + encodeURIComponent(window.location.pathname);
        return;
      }
      const data = await response.json();
      setOffline(false);
      if (!response.ok) { showError(data.message); if (data.state) draw(data.state); return; }
      showError("");
      draw(data);
    } catch (err) {
      showError("The till lost its connection. Try again.", "connection");
    }
  }

  // Send and Show QR: the button stays disabled until the server has answered, so a double tap sends one request
  async function pay(body) {
    if (paying) return;
    paying = true;
    draw(current);
    try { await post("/pay", body); } finally { paying = false; draw(current); }
  }

  document.addEventListener("click", (event) => {
    const target = event.target.closest("button");
    if (!target) return;
    if (target.dataset.product) post("/cart", { productId: target.dataset.product,
                                                delta: Number(target.dataset.delta || 1) });
  });
  $("clear").addEventListener("click", () => { if (!$("clear").disabled) post("/clear"); });
  $("cancel").addEventListener("click", () => post("/cancel"));
  $("done").addEventListener("click", () => post("/done"));
  $("pay-qr").addEventListener("click", () => { $("scan-form").hidden = $("phone-form").hidden = true;
                                                 pay({ method: "qr" }); });
  $("pay-scan").addEventListener("click", () => {
    $("phone-form").hidden = true; $("scan-form").hidden = false;
    $("scan-input").value = ""; $("scan-input").focus();
  });
  $("pay-phone").addEventListener("click", () => {
    $("scan-form").hidden = true; $("phone-form").hidden = false; $("phone-input").focus();
  });
  // a keyboard-wedge scanner types the QR's content and presses Enter
  $("scan-form").addEventListener("submit", (event) => {
    event.preventDefault();
    pay({ method: "scan", value: $("scan-input").value });
    $("scan-input").value = "";
  });
  $("phone-form").addEventListener("submit", (event) => {
    event.preventDefault();
    pay({ method: "phone", value: $("phone-input").value });
  });

  draw(current);

  // the live stream: while it is down the till says so, and it says so no more once the server answers again
  let offlineTimer = null;
  let source = null;
  function online() { clearTimeout(offlineTimer); offlineTimer = null; setOffline(false); }
  function listen() {
    source = new EventSource(api + "/events");
    source.addEventListener("open", online);
    source.addEventListener("state", (event) => { online(); draw(JSON.parse(event.data)); });
    source.addEventListener("error", () => {
      if (offlineTimer === null) offlineTimer = setTimeout(() => setOffline(true), OFFLINE_AFTER);
      if (source.readyState === EventSource.CLOSED) {  // an error status ends EventSource's own retries
        setTimeout(listen, 2000);
      }
    });
  }
  listen();
})();

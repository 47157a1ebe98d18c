// kasse POS customer display: idle, cart, QR with amount, outcome; follows the till over EventSource.
"use strict";
(function () {
  const terminal = document.body.dataset.terminal;
  const $ = (id) => document.getElementById(id);
  const VIEWS = ["idle", "cart", "qr", "push", "outcome"];
  const OUTCOMES = { paid: ["✓", "Thank you!", "Payment approved"],
                     mismatch: ["!", "Please wait", "The cashier will check your payment"],
                     failed: ["✕", "Not paid", ""], cancelled: ["✕", "Cancelled", "The payment was cancelled"] };

  function show(name) { VIEWS.forEach((v) => { $(v).hidden = v !== name; }); document.body.dataset.view = name; }

  function draw(state) {
    const sale = state.sale;
    if (sale && !sale.settled && sale.qrUrl) {
      if ($("qr-image").getAttribute("src") !== sale.qrUrl) $("qr-image").src = sale.qrUrl;
      $("qr-amount").textContent = sale.total;
      return show("qr");
    }
    if (sale && !sale.settled) { $("push-amount").textContent = sale.total; return show("push"); }
    if (sale) {
      const [icon, title, text] = OUTCOMES[sale.status] || ["", sale.status, ""];
      $("outcome").className = "view outcome " + sale.status;
      $("outcome-icon").textContent = icon;
      $("outcome-title").textContent = title;
      $("outcome-text").textContent = text || sale.message;
      return show("outcome");
    }
    if (state.cart.lines.length) {
      $("d-lines").replaceChildren(...state.cart.lines.map((line) => {
        const li = document.createElement("li");
        const name = document.createElement("span");
        const total = document.createElement("span");
        name.textContent = line.quantity + " × " + line.name;
        total.textContent = line.total;
        li.append(name, total);
        return li;
      }));
      $("d-total").textContent = state.cart.total;
      $("d-vat").textContent = "Including VAT " + state.cart.vat;
      return show("cart");
    }
    show("idle");
  }

  draw(JSON.parse($("initial").textContent));
  const source = new EventSource("/pos/api/terminals/" + encodeURIComponent(terminal) + "/events");
  source.addEventListener("state", (event) => draw(JSON.parse(event.data)));
})();

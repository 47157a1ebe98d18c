// Reload the page when its terminal's state changes (vending machine screen).
"use strict";
(function () {
  const terminal = document.body.dataset.terminal;
  // key order differs between the page (sorted) and the stream, so compare a canonical form
  const canon = (value) => Array.isArray(value) ? value.map(canon)
    : value && typeof value === "object" ? Object.keys(value).sort().reduce((o, k) => { o[k] = canon(value[k]); return o; }, {})
    : value;
  const shown = JSON.stringify(canon(JSON.parse(document.body.dataset.state)));
  const source = new EventSource("/pos/api/terminals/" + encodeURIComponent(terminal) + "/events");
  source.addEventListener("state", (event) => {
    if (JSON.stringify(canon(JSON.parse(event.data))) !== shown) window.location.reload();
  });
})();

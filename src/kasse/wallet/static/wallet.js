// kasse wallet: live refresh over EventSource, countdowns, and scanning a photo as soon as it is chosen.
(function () {
  "use strict";
  var body = document.body;

  // pages that show wallet state carry its signature; when the server's changes, show the new state
  if (body.dataset.sig && window.EventSource) {
    // a check-in page, and My QR while a cashier scans it, open the request that arrives for them
    var params = new URLSearchParams();
    if (body.dataset.checkin) { params.set("checkIn", body.dataset.checkin); }
    if (body.dataset.shown !== undefined) { params.set("shown", body.dataset.shown); }
    var query = params.toString();
    var url = "/wallet/api/events" + (query ? "?" + query : "");
    var source = new EventSource(url);
    source.addEventListener("wallet", function (event) {
      var data = JSON.parse(event.data);
      if (data.open) { source.close(); window.location.href = data.open; return; }
      if (data.sig !== body.dataset.sig) { source.close(); window.location.reload(); }
    });
    // an answer being sent is a navigation of its own (to the shop's returnUrl, say): a reload must not cancel it
    document.addEventListener("submit", function () { source.close(); });
  }

  // countdowns start from the seconds the server computed with its own (possibly moved) clock
  var counters = document.querySelectorAll("[data-countdown]");
  if (counters.length) {
    var started = Date.now();
    var tick = function () {
      var gone = Math.floor((Date.now() - started) / 1000);
      counters.forEach(function (el) {
        var left = Math.max(0, parseInt(el.dataset.countdown, 10) - gone);
        el.textContent = Math.floor(left / 60) + ":" + String(left % 60).padStart(2, "0");
      });
    };
    setInterval(tick, 1000);
  }

  var image = document.getElementById("scan-image");
  if (image) {
    image.addEventListener("change", function () {
      if (image.files && image.files.length) { document.getElementById("upload-form").submit(); }
    });
  }
})();

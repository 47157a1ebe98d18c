// Live console pages: while the page is visible, fetch it again every few seconds and swap in the parts
// marked data-live-part (by id) that changed. Forms and the rest of the page stay as they are.
(function () {
  "use strict";
  var every = parseInt(document.body.dataset.live || "0", 10);
  if (!every) return;
  var busy = false;
  function refresh() {
    if (busy || document.visibilityState !== "visible") return;
    busy = true;
    fetch(location.href, { headers: { "accept": "text/html" }, credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.text() : null; })
      .then(function (text) {
        if (!text) return;
        var fresh = new DOMParser().parseFromString(text, "text/html");
        document.querySelectorAll("[data-live-part]").forEach(function (old) {
          var found = fresh.getElementById(old.id);
          if (found && found.innerHTML !== old.innerHTML) old.innerHTML = found.innerHTML;
        });
      })
      .catch(function () {})
      .finally(function () { busy = false; });
  }
  setInterval(refresh, every);
  document.addEventListener("visibilitychange", refresh);
})();

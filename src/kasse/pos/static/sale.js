// kasse POS receipt page: "Refund all" asks first, in the page.
"use strict";
(function () {
  const dialog = document.getElementById("refund-all-dialog");
  const button = document.getElementById("refund-all");
  if (!dialog || !button) return;
  button.addEventListener("click", () => {
    dialog.showModal();
    document.getElementById("refund-all-keep").focus();
  });
})();

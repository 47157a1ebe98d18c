// live deliveries: the page reloads when a delivery is added or attempted (it works without this: reload by hand)
(() => {
  const table = document.getElementById("deliveries");
  if (!table) return;
  const url = `/console/webhooks/state.json${location.search}`;
  const busy = () => document.querySelector("details[open]") ||
    (document.activeElement && ["INPUT", "SELECT"].includes(document.activeElement.tagName));
  setInterval(async () => {
    if (document.hidden || busy()) return;  // never pull a payload someone is reading away from them
    try {
      const r = await fetch(url, {headers: {accept: "application/json"}});
      if (r.ok && (await r.json()).state !== table.dataset.state) {
        const clean = new URL(location.href);
        clean.searchParams.delete("notice");
        location.replace(clean);
      }
    } catch (e) { /* offline: try again next time */ }
  }, 3000);
})();

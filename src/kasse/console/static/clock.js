// keeps kasse's time on the clock page running (the page works without it: it shows the time it was served)
(() => {
  const el = document.getElementById("now");
  if (!el) return;
  let base = Date.parse(el.getAttribute("datetime")), loaded = Date.now(), frozen = el.dataset.frozen === "yes";
  const pad = (n) => String(n).padStart(2, "0");
  const show = () => {
    const t = new Date(frozen ? base : base + (Date.now() - loaded));
    el.textContent = `${t.getUTCFullYear()}-${pad(t.getUTCMonth() + 1)}-${pad(t.getUTCDate())} ` +
      `${pad(t.getUTCHours())}:${pad(t.getUTCMinutes())}:${pad(t.getUTCSeconds())}`;
  };
  const sync = async () => {  // another tab, the CLI or a test may move the clock meanwhile
    try {
      const r = await fetch("/console/time/now.json", {headers: {accept: "application/json"}});
      if (!r.ok) return;
      const c = await r.json();
      base = Date.parse(c.now); loaded = Date.now(); frozen = c.frozen;
      const chip = document.getElementById("clock-state");
      if (chip) { chip.textContent = frozen ? "frozen" : "running"; chip.className = `chip ${frozen ? "wait" : "good"}`; }
    } catch (e) { /* offline: keep counting */ }
  };
  setInterval(show, 1000);
  setInterval(sync, 10000);
})();

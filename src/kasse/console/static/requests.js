// The Requests page, live: ask for the rows that came after the newest shown, put them on top.
(() => {
  const table = document.getElementById("requests");
  if (!table || table.dataset.live !== "yes") return;
  const body = table.tBodies[0];
  let newest = Number(table.dataset.newest || 0);
  let busy = false;
  const poll = async () => {
    if (busy || document.hidden) return;
    busy = true;
    try {
      const query = table.dataset.query ? `&${table.dataset.query}` : "";
      const r = await fetch(`/console/requests/rows?after=${newest}${query}`, {headers: {accept: "text/html"}});
      if (!r.ok) return;
      const html = (await r.text()).trim();
      if (!html) return;
      const holder = document.createElement("tbody");
      holder.innerHTML = html;
      const rows = [...holder.querySelectorAll("tr[data-id]")];
      if (!rows.length) return;
      body.querySelector("tr.empty")?.remove();
      rows.forEach(row => row.classList.add("fresh"));
      body.prepend(...rows);
      newest = Math.max(newest, ...rows.map(row => Number(row.dataset.id)));
      while (body.rows.length > 300) body.deleteRow(-1);
    } catch (_) {
      // the server restarts or the network blinks: the next poll tries again
    } finally {
      busy = false;
    }
  };
  setInterval(poll, 2000);
})();

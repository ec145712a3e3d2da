// The authoring tabs: the review table's keyboard, the generate form's intent, the report's chart.
(function () {
  "use strict";
  if (window.aicallAuthoring) { window.aicallAuthoring.refresh(); return; }

  function rows() { return Array.from(document.querySelectorAll("table.review tr.cand")); }
  let focusAfterSwap = null;

  function act(row, action) {
    const button = row.querySelector('[data-action="' + action + '"]');
    if (!button) return;
    const list = rows(); const next = list[list.indexOf(row) + 1];
    focusAfterSwap = next ? next.dataset.id : row.dataset.id;
    if (window.htmx) window.htmx.process(row);  // a row swapped in this instant is wired first
    button.click();
  }
  function toggleEdit(row) {
    const edit = row.querySelector(".edit"); const utt = row.querySelector(".utt");
    edit.hidden = !edit.hidden; utt.hidden = !edit.hidden;
    if (!edit.hidden) { const input = edit.querySelector("input"); input.focus(); input.select(); }
  }
  document.addEventListener("keydown", function (e) {
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    const target = e.target;
    if (target.closest && target.closest(".edit") && e.key === "Enter") {
      e.preventDefault(); target.closest(".edit").querySelector("button").click(); return;
    }
    if (target.matches && target.matches("input, textarea, select")) {
      if (e.key === "Escape" && target.closest(".edit")) { toggleEdit(target.closest("tr")); target.closest("tr").focus(); }
      return;
    }
    const list = rows(); if (!list.length) return;
    const row = target.closest ? target.closest("tr.cand") : null;
    const i = row ? list.indexOf(row) : -1;
    if (e.key === "j") { e.preventDefault(); list[Math.min(list.length - 1, i + 1)].focus(); }
    else if (e.key === "k") { e.preventDefault(); list[Math.max(0, i - 1)].focus(); }
    else if (!row) return;
    else if (e.key === "a") { e.preventDefault(); act(row, "accept"); }
    else if (e.key === "r") { e.preventDefault(); act(row, "reject"); }
    else if (e.key === "e") { e.preventDefault(); toggleEdit(row); }
    else if (e.key === "x") { e.preventDefault(); const box = row.querySelector(".cand-select"); box.checked = !box.checked; }
  });
  document.addEventListener("click", function (e) {
    const edit = e.target.closest && e.target.closest('[data-action="edit"]');
    if (edit) toggleEdit(edit.closest("tr"));
  });
  document.addEventListener("change", function (e) {
    if (e.target.matches("[data-select-all]")) {
      for (const box of document.querySelectorAll(".cand-select")) box.checked = e.target.checked;
    }
    if (e.target.matches("[data-intent-select]")) {
      const opt = e.target.selectedOptions[0]; const p = document.getElementById("aug-description");
      p.textContent = opt.dataset.description ? opt.dataset.description : p.dataset.none;
    }
  });
  document.addEventListener("htmx:configRequest", function (e) {
    const form = e.detail.elt.closest && e.detail.elt.closest("[data-intent-form]");
    if (form) {
      const intent = form.querySelector("[data-intent-select]").value;
      e.detail.path = e.detail.path.replace("__intent__", encodeURIComponent(intent));
    }
  });
  document.addEventListener("htmx:afterSwap", function () {
    const err = document.getElementById("authoring-error"); if (err) err.innerHTML = "";
    if (focusAfterSwap) {
      const row = document.getElementById("c-" + focusAfterSwap); focusAfterSwap = null;
      if (row) row.focus();
    }
    refresh();
  });

  let chart = null;
  function refresh() {
    const data = document.getElementById("acc-data"); const canvas = document.getElementById("acc-chart");
    if (!data || !canvas || canvas.dataset.drawn) return;
    if (!window.Chart) { setTimeout(refresh, 200); return; }  // chart.js still loading
    const d = JSON.parse(data.textContent); canvas.dataset.drawn = "1";
    const sets = [];
    if (d.before) sets.push({label: d.l_before, data: d.before.map((v) => v == null ? null : v * 100), backgroundColor: "#9aa8bb"});
    sets.push({label: d.l_after, data: d.after.map((v) => v == null ? null : v * 100), backgroundColor: "#1f5fbf"});
    if (chart) chart.destroy();
    chart = new window.Chart(canvas, {type: "bar", data: {labels: d.labels, datasets: sets},
      options: {animation: false, maintainAspectRatio: false, scales: {y: {min: 0, max: 100, ticks: {callback: (v) => v + "%"}}}}});
  }
  window.aicallAuthoring = {refresh: refresh};
  refresh();
})();

// A person's care-call trends as one line chart: each slot's score per call, 1 = best answer.
// Data: the JSON of agent/trends.py (PersonTrends.as_dict) in <script id="trend-data">.
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("trend-data").textContent);
  var canvas = document.getElementById("trend-chart");
  if (!canvas || typeof Chart === "undefined") { return; }
  var colours = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b"];
  var calls = {};
  Object.keys(data.trends).forEach(function (slot) {
    data.trends[slot].points.forEach(function (p) { calls[p.when] = p.call_id; });
  });
  var whens = Object.keys(calls).sort();
  var labels = whens.map(function (w) { return w.slice(0, 10); });
  var dashes = [[], [8, 4], [2, 3], [12, 3, 2, 3]];
  var shapes = ["circle", "rectRot", "triangle", "rect"];
  var slots = Object.keys(data.trends).filter(function (slot) {
    return data.trends[slot].points.some(function (p) { return p.score !== null; });
  });
  var datasets = slots.map(function (slot, i) {
    var byWhen = {};
    data.trends[slot].points.forEach(function (p) { byWhen[p.when] = p; });
    return {
      label: slot,
      data: whens.map(function (w) { return byWhen[w] ? byWhen[w].score : null; }),
      values: whens.map(function (w) { return byWhen[w] ? byWhen[w].value : null; }),
      borderColor: colours[i % colours.length],
      borderDash: dashes[i % dashes.length],
      borderWidth: 2.5,
      pointStyle: shapes[i % shapes.length],
      pointRadius: 5,
      order: -i,
      backgroundColor: colours[i % colours.length],
      spanGaps: true,
      tension: 0.2
    };
  });
  new Chart(canvas, {
    type: "line",
    data: { labels: labels, datasets: datasets },
    options: {
      animation: false,
      responsive: true,
      maintainAspectRatio: false,
      scales: { y: { min: 0, max: 1, ticks: { stepSize: 0.5 } } },
      plugins: {
        legend: { reverse: true, labels: { usePointStyle: true } },
        tooltip: {
          callbacks: {
            label: function (ctx) {
              var v = ctx.dataset.values[ctx.dataIndex];
              return ctx.dataset.label + ": " + (v === null ? "-" : v);
            }
          }
        }
      }
    }
  });
}());

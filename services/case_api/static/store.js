// Store page: draws the first-response trend from the JSON the server rendered (the table
// below the chart carries the same figures for readers without it).
(function () {
  "use strict";
  var canvas = document.getElementById("trend-chart");
  if (!canvas || typeof Chart === "undefined") return;
  var trend = JSON.parse(document.getElementById("trend-data").textContent);
  new Chart(canvas, {
    type: "line",
    data: {
      labels: trend.weeks,
      datasets: [
        { label: "Median", data: trend.median_hours, borderColor: "#2563eb", backgroundColor: "#2563eb", tension: 0.2 },
        { label: "90th percentile", data: trend.p90_hours, borderColor: "#f97316", backgroundColor: "#f97316", tension: 0.2 },
      ],
    },
    options: {
      responsive: true,
      maintainAspectRatio: false,
      animation: false,
      plugins: { legend: { position: "bottom" } },
      scales: { y: { beginAtZero: true, title: { display: true, text: "hours" } } },
    },
  });
  document.body.dataset.charts = "drawn";
})();

// Redress operations dashboard: draws the charts, follows the platform filter, and refreshes
// the figures from /dashboard/live (the same server-rendered, escaped markup) every few seconds.
// Text is never assembled from data here: new markup comes from the server's templates, and
// chart labels are drawn on a canvas.
(function () {
  "use strict";

  var STATUS_COLOURS = {
    awaiting_store: "#f59e0b",
    in_progress: "#3b82f6",
    awaiting_consumer: "#8b5cf6",
    escalated: "#ef4444",
    suspended: "#94a3b8",
  };
  var MISSED = {
    reminders: ["Reminders", "#fbbf24"],
    warnings: ["Warnings", "#f97316"],
    sla_escalations: ["Escalations", "#ef4444"],
    auto_approvals: ["Auto-approvals", "#10b981"],
  };
  var charts = {};

  function label(text) {
    return text.replace(/_/g, " ");
  }

  function data() {
    return JSON.parse(document.getElementById("chart-data").textContent);
  }

  function base(stacked) {
    return {
      responsive: true,
      maintainAspectRatio: false,
      animation: { duration: 400 },
      plugins: { legend: { position: "bottom", labels: { boxWidth: 12, boxHeight: 12 } } },
      scales: {
        x: { stacked: stacked, grid: { display: false } },
        y: { stacked: stacked, beginAtZero: true, ticks: { precision: 0 }, grid: { color: "#eef1f6" } },
      },
    };
  }

  function configs(d) {
    return {
      "chart-status": {
        type: "bar",
        data: {
          labels: d.platforms,
          datasets: Object.keys(d.open).map(function (status) {
            return {
              label: label(status),
              data: d.open[status],
              backgroundColor: STATUS_COLOURS[status] || "#64748b",
              borderRadius: 3,
            };
          }),
        },
        options: base(true),
      },
      "chart-response": {
        type: "bar",
        data: {
          labels: d.platforms,
          datasets: [
            { label: "median", data: d.median_hours, backgroundColor: "#14b8a6", borderRadius: 3 },
            { label: "p90", data: d.p90_hours, backgroundColor: "#6366f1", borderRadius: 3 },
          ],
        },
        options: base(false),
      },
      "chart-sla": {
        type: "bar",
        data: {
          labels: d.platforms,
          datasets: Object.keys(MISSED).map(function (key) {
            return {
              label: MISSED[key][0],
              data: d.missed[key],
              backgroundColor: MISSED[key][1],
              borderRadius: 3,
            };
          }),
        },
        options: base(false),
      },
    };
  }

  function draw() {
    if (typeof Chart === "undefined") {
      return;
    }
    Chart.defaults.datasets.bar.maxBarThickness = 48;
    var wanted = configs(data());
    Object.keys(wanted).forEach(function (id) {
      var chart = charts[id];
      if (chart) {
        chart.data.labels = wanted[id].data.labels;
        wanted[id].data.datasets.forEach(function (set, i) {
          chart.data.datasets[i].data = set.data;
        });
        chart.update();
      } else {
        charts[id] = new Chart(document.getElementById(id), wanted[id]);
      }
    });
    document.body.dataset.charts = "drawn";
  }

  function say(text, stale) {
    var state = document.getElementById("refresh-state");
    state.textContent = text;
    state.className = stale ? "stale" : "";
  }

  function refresh() {
    var platform = document.getElementById("live").dataset.platform;
    var url = "/dashboard/live" + (platform ? "?platform=" + encodeURIComponent(platform) : "");
    fetch(url, { credentials: "same-origin", cache: "no-store" })
      .then(function (response) {
        if (!response.ok) {
          throw new Error(response.status === 401 ? "signed out: reload to sign in" : "HTTP " + response.status);
        }
        return response.text();
      })
      .then(function (html) {
        var fresh = new DOMParser().parseFromString(html, "text/html");
        fresh.querySelectorAll("[data-swap]").forEach(function (node) {
          var old = document.getElementById(node.id);
          if (old) {
            old.replaceWith(document.importNode(node, true));
          }
        });
        draw();
        say("");
        document.body.dataset.refreshed = String(Number(document.body.dataset.refreshed || 0) + 1);
      })
      .catch(function (error) {
        say("Could not refresh (" + error.message + "); showing the last figures.", true);
      });
  }

  document.getElementById("platform").addEventListener("change", function (event) {
    var value = event.target.value;
    window.location.search = value ? "?platform=" + encodeURIComponent(value) : "";
  });
  draw();
  window.setInterval(refresh, 1000 * Number(document.body.dataset.refresh || 10));
})();

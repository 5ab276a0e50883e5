/*
 * Progress charts drawn with Chart.js 4 (static/vendor/chart-4.6.1.umd.min.js; static/js/on-demand.js loads both).
 *
 * Every <canvas class="progress-chart" data-chart='{...}'> on the page is drawn on load and after
 * each htmx swap (htmx:afterSettle). Put the canvas in a <div class="chart-box"> (fixed height in
 * static/css/app.css); templates/maps/_macros.html chart(data, title) writes both. The data:
 *
 *   {
 *     "kind": "cumulative" | "pace",
 *     "labels": ["2026-10-15", ...],      ISO dates, one per day
 *     "label": "Digitized %",             translated series name
 *     "values": [number | null, ...],     cumulative: digitized % of electors that day;
 *                                         pace: digitized that day minus the day before, % of electors;
 *                                         null = no report that day, drawn as a gap
 *     "target": 10.0,                     daily target, % of electors per day
 *     "start": "2026-10-15",              cumulative only, optional (default labels[0]): the first
 *                                         day of the campaign; the target line is
 *                                         target × (days since start + 1), capped at 100
 *     "target_label": "Target",           translated
 *     "y_label": "% of electors",         translated
 *     "lang": "hi" | "en"
 *   }
 *
 * Cumulative: a line with the target line dashed. Pace: bars, green when at or above the target,
 * amber when at least half of it, red below, with the target as a dashed line. No animation.
 * app/maps/services.py cumulative_chart() and pace_chart() build these dicts.
 */
(function () {
  "use strict";
  if (window.sirCharts) return; // loaded twice (e.g. by a swapped page): one set of listeners is enough

  var COLOURS = {
    line: "#1565c0",
    lineFill: "rgba(21, 101, 192, 0.12)",
    target: "#616161",
    ahead: "#2e7d32",
    close: "#f9a825",
    behind: "#c62828",
  };
  var DAY_MS = 86400000;

  function numberFormat(lang) {
    return new Intl.NumberFormat(lang === "hi" ? "hi-IN" : "en-IN", {
      minimumFractionDigits: 1,
      maximumFractionDigits: 1,
    });
  }

  function shortDate(iso) {
    return iso.slice(8, 10) + "/" + iso.slice(5, 7);
  }

  function isoDay(iso) {
    var parts = iso.split("-");
    return Date.UTC(+parts[0], +parts[1] - 1, +parts[2]);
  }

  function cumulativeTargets(data) {
    var start = isoDay(data.start || data.labels[0]);
    return data.labels.map(function (label) {
      var days = Math.round((isoDay(label) - start) / DAY_MS) + 1;
      return Math.max(0, Math.min(100, data.target * days));
    });
  }

  function paceColour(value, target) {
    if (value === null || value === undefined) return COLOURS.target;
    if (value >= target) return COLOURS.ahead;
    if (value >= target / 2) return COLOURS.close;
    return COLOURS.behind;
  }

  function targetDataset(data, values) {
    return {
      type: "line",
      label: data.target_label,
      data: values,
      borderColor: COLOURS.target,
      borderDash: [6, 4],
      borderWidth: 1.5,
      pointRadius: 0,
      pointHitRadius: 0,
      fill: false,
      order: 0,
    };
  }

  function config(data) {
    var format = numberFormat(data.lang);
    var percent = function (value) {
      return format.format(value) + " %";
    };
    var datasets;
    if (data.kind === "pace") {
      datasets = [
        {
          type: "bar",
          label: data.label,
          data: data.values,
          backgroundColor: data.values.map(function (v) {
            return paceColour(v, data.target);
          }),
          order: 1,
        },
        targetDataset(
          data,
          data.labels.map(function () {
            return data.target;
          })
        ),
      ];
    } else {
      datasets = [
        {
          type: "line",
          label: data.label,
          data: data.values,
          borderColor: COLOURS.line,
          backgroundColor: COLOURS.lineFill,
          borderWidth: 2,
          pointRadius: 0,
          pointHitRadius: 8,
          spanGaps: false,
          fill: "origin",
          order: 1,
        },
        targetDataset(data, cumulativeTargets(data)),
      ];
    }
    var yScale = {
      beginAtZero: true,
      title: { display: Boolean(data.y_label), text: data.y_label },
      ticks: { maxTicksLimit: 6, callback: percent },
    };
    if (data.kind !== "pace") yScale.max = 100;
    return {
      type: data.kind === "pace" ? "bar" : "line",
      data: { labels: data.labels, datasets: datasets },
      options: {
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        interaction: { mode: "index", intersect: false },
        scales: {
          x: {
            grid: { display: false },
            ticks: {
              autoSkip: true,
              maxRotation: 0,
              maxTicksLimit: 7,
              callback: function (value) {
                return shortDate(this.getLabelForValue(value));
              },
            },
          },
          y: yScale,
        },
        plugins: {
          legend: { position: "bottom", labels: { boxWidth: 14 } },
          tooltip: {
            callbacks: {
              title: function (items) {
                return items.length ? shortDate(items[0].label) : "";
              },
              label: function (item) {
                return item.dataset.label + ": " + (item.raw === null ? "—" : percent(item.raw));
              },
            },
          },
        },
      },
    };
  }

  function draw(canvas) {
    if (window.Chart.getChart(canvas)) return;
    var data;
    try {
      data = JSON.parse(canvas.dataset.chart);
    } catch (error) {
      console.warn("progress chart: unreadable data-chart", error);
      return;
    }
    new window.Chart(canvas, config(data));
  }

  function forgetRemoved() {
    Object.values(window.Chart.instances).forEach(function (chart) {
      if (!document.contains(chart.canvas)) chart.destroy();
    });
  }

  function drawAll(root) {
    if (!window.Chart) return;
    forgetRemoved();
    var style = getComputedStyle(document.body);
    window.Chart.defaults.color = style.color;
    window.Chart.defaults.font.family = style.fontFamily;
    (root || document).querySelectorAll("canvas.progress-chart").forEach(draw);
  }

  window.sirCharts = { drawAll: drawAll, config: config };
  document.addEventListener("htmx:afterSettle", function () {
    drawAll(document);
  });
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () {
      drawAll(document);
    });
  } else {
    drawAll(document);
  }
})();

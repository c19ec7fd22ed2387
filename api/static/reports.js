// channelops report pages: department compliance and process analytics charts. No inline scripts.
(function () {
  "use strict";
  var COLOURS = { on_time: "#1c7c3c", late: "#c77700", overdue: "#b3261e", open: "#8f9bb0" };

  function read(id) {
    var node = document.getElementById(id);
    return node ? JSON.parse(node.textContent) : null;
  }

  function draw(canvas, config) {
    if (!canvas || !window.Chart) { return; }
    new window.Chart(canvas, config);
    canvas.setAttribute("data-rendered", "true");
  }

  function compliance() {
    var chart = read("chart-compliance-data");
    if (!chart) { return; }
    draw(document.getElementById("chart-compliance"), {
      type: "bar",
      data: { labels: chart.labels, datasets: chart.kinds.map(function (kind) {
        return { label: kind.label, data: kind.values, backgroundColor: COLOURS[kind.key] };
      }) },
      options: { responsive: true, maintainAspectRatio: false, animation: false,
                 scales: { x: { stacked: true }, y: { stacked: true, ticks: { precision: 0 } } } }
    });
    draw(document.getElementById("chart-compliance-trend"), {
      type: "line",
      data: { labels: chart.months, datasets: chart.trend.map(function (series, i) {
        var colour = "hsl(" + ((i * 67) % 360) + ", 55%, 42%)";
        return { label: series.label, data: series.values, borderColor: colour, backgroundColor: colour,
                 spanGaps: true, cubicInterpolationMode: "monotone" };
      }) },
      options: { responsive: true, maintainAspectRatio: false, animation: false,
                 scales: { y: { min: 0, max: 100, title: { display: true, text: chart.rate_label } } },
                 interaction: { mode: "index", intersect: false } }
    });
  }

  function throughput() {
    var chart = read("chart-process-data");
    if (!chart || !chart.series) { return; }
    draw(document.getElementById("chart-process"), {
      type: "bar",
      data: { labels: chart.labels, datasets: chart.series.map(function (series, i) {
        var colour = ["#1f5fbf", "#1c7c3c", "#b3261e"][i % 3];
        return { label: series.label, data: series.values, type: series.line ? "line" : "bar",
                 borderColor: colour, backgroundColor: colour };
      }) },
      options: { responsive: true, maintainAspectRatio: false, animation: false,
                 scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    compliance();
    throughput();
  });
})();

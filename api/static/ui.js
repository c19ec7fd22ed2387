// channelops UI behaviour: diagrams, charts, the editor's line gutter. No inline scripts.
(function () {
  "use strict";

  function renderDiagrams(root) {
    if (!window.mermaid) { return; }
    var nodes = (root || document).querySelectorAll("pre.mermaid:not([data-processed])");
    if (nodes.length === 0) { return; }
    window.mermaid.run({ nodes: nodes }).then(function () {
      nodes.forEach(separateLabels);
    }).catch(function (error) {
      nodes.forEach(function (node) { node.setAttribute("data-error", String(error && error.message || error)); });
    });
  }

  // Mermaid puts the labels of two edges between the same states (there and back) on top of each
  // other: move a label that overlaps one already placed down until it is clear.
  function separateLabels(root) {
    var placed = [];
    root.querySelectorAll("svg g.edgeLabel").forEach(function (label) {
      var box = label.getBoundingClientRect();
      if (box.width < 1) { return; }
      var shift = 0;
      for (var round = 0, moved = true; moved && round < 20; round++) {
        moved = false;
        placed.forEach(function (other) {
          if (box.left < other.right - 2 && other.left < box.right - 2 &&
              box.top + shift < other.bottom - 2 && other.top < box.bottom + shift - 2) {
            shift = other.bottom - box.top + 4;
            moved = true;
          }
        });
      }
      if (shift > 0) {
        var ctm = label.parentNode.getScreenCTM && label.parentNode.getScreenCTM();
        var scale = ctm && ctm.d ? ctm.d : 1;
        label.setAttribute("transform", (label.getAttribute("transform") || "") + " translate(0," + (shift / scale) + ")");
      }
      placed.push({ left: box.left, right: box.right, top: box.top + shift, bottom: box.bottom + shift });
    });
    root.setAttribute("data-labels-separated", "true");
  }

  function renderCharts() {
    var data = document.getElementById("chart-open-data");
    var canvas = document.getElementById("chart-open");
    if (!data || !canvas || !window.Chart) { return; }
    var chart = JSON.parse(data.textContent);
    var datasets = chart.series.map(function (s, i) {
      var values = chart.labels.map(function (label) { return label === s.workflow ? s.count : 0; });
      return { label: s.label, data: values, backgroundColor: "hsl(" + ((i * 47) % 360) + ", 55%, 55%)" };
    });
    canvas.parentElement.style.height = Math.max(160, 48 * chart.labels.length + 64) + "px";
    new window.Chart(canvas, {
      type: "bar",
      data: { labels: chart.labels, datasets: datasets },
      options: { indexAxis: "y", responsive: true, maintainAspectRatio: false, animation: false,
                 scales: { x: { stacked: true, ticks: { precision: 0 } }, y: { stacked: true } },
                 plugins: { legend: { display: false } } }
    });
    canvas.setAttribute("data-rendered", "true");
  }

  function renderKpiChart() {
    var data = document.getElementById("chart-kpi-data");
    var names = document.getElementById("chart-kpi-labels");
    var canvas = document.getElementById("chart-kpi");
    if (!data || !names || !canvas || !window.Chart) { return; }
    var chart = JSON.parse(data.textContent);
    var labels = JSON.parse(names.textContent);
    var colours = { attainment: "#1f5fbf", satisfaction: "#1c7c3c", on_time_rate: "#9a6200", return_rate: "#b3261e" };
    var datasets = Object.keys(chart.series).filter(function (key) {
      return chart.series[key].some(function (v) { return v !== null; });
    }).map(function (key) {
      // Scores (satisfaction, 0-5) on their own axis at the right; rates in percent at the left.
      // Monotone interpolation: the line never overshoots the measured points (no invented peaks).
      return { label: labels[key] || key, data: chart.series[key], borderColor: colours[key],
               backgroundColor: colours[key], spanGaps: true, cubicInterpolationMode: "monotone",
               yAxisID: key === "satisfaction" ? "score" : "percent" };
    });
    var scored = datasets.some(function (d) { return d.yAxisID === "score"; });
    var scales = { percent: { type: "linear", position: "left", beginAtZero: true,
                              title: { display: true, text: labels.percent_axis || "%" } } };
    if (scored) {
      scales.score = { type: "linear", position: "right", min: 0, max: 5, ticks: { stepSize: 1 },
                       grid: { drawOnChartArea: false }, title: { display: true, text: labels.score_axis || "0-5" } };
    }
    var made = new window.Chart(canvas, {
      type: "line",
      data: { labels: chart.periods, datasets: datasets },
      options: { responsive: true, maintainAspectRatio: false, animation: false, scales: scales,
                 interaction: { mode: "index", intersect: false } }
    });
    canvas.setAttribute("data-axes", Object.keys(made.scales).join(","));
    canvas.setAttribute("data-rendered", "true");
  }

  function lineCount(text) { return text.split("\n").length; }

  function updateGutter() {
    var textarea = document.getElementById("source");
    var gutter = document.getElementById("gutter");
    if (!textarea || !gutter) { return; }
    var problems = document.querySelector("#feedback [data-error-lines]");
    var errors = {};
    if (problems && problems.getAttribute("data-error-lines")) {
      problems.getAttribute("data-error-lines").split(",").forEach(function (n) { errors[n] = true; });
    }
    var count = lineCount(textarea.value);
    var html = [];
    for (var i = 1; i <= count; i++) {
      html.push('<span' + (errors[String(i)] ? ' class="error"' : '') + '>' + i + '</span>');
    }
    gutter.innerHTML = html.join("");
    gutter.scrollTop = textarea.scrollTop;
  }

  function goToLine(line) {
    var textarea = document.getElementById("source");
    if (!textarea) { return; }
    var lines = textarea.value.split("\n");
    var start = 0;
    for (var i = 0; i < line - 1 && i < lines.length; i++) { start += lines[i].length + 1; }
    var end = start + (lines[line - 1] || "").length;
    textarea.focus();
    textarea.setSelectionRange(start, end);
    var lineHeight = parseFloat(getComputedStyle(textarea).lineHeight) || 21;
    textarea.scrollTop = Math.max(0, (line - 3) * lineHeight);
  }

  // The start form: mark the variant the data typed so far selects (each `data-when` attribute read
  // from the field of the same name; a variant on an attribute with no field here keeps the server's mark).
  function markVariant() {
    var status = document.getElementById("variant-applies");
    if (!status) { return; }
    var found = null;
    var known = true;
    document.querySelectorAll("[data-variants] li[data-when]").forEach(function (item) {
      var when = JSON.parse(item.getAttribute("data-when"));
      var matches = Object.keys(when).every(function (key) {
        var field = document.getElementById("field-" + key);
        if (!field) { known = false; return false; }
        return when[key].indexOf(field.value) >= 0;
      });
      item.classList.toggle("applies", matches);
      if (matches && !found) { found = item; }
    });
    if (!known && !found) { return; }
    status.textContent = "";
    if (found) {
      status.append(status.getAttribute("data-prefix") + " ");
      var strong = document.createElement("strong");
      strong.textContent = found.getAttribute("data-variant");
      status.append(strong);
    } else {
      status.textContent = status.getAttribute("data-none");
    }
  }

  document.addEventListener("change", function (event) {
    if (event.target.name && event.target.name.indexOf("data.") === 0) { markVariant(); }
  });

  document.addEventListener("DOMContentLoaded", function () {
    markVariant();
    if (window.mermaid) {
      window.mermaid.initialize({ startOnLoad: false, securityLevel: "strict", theme: "default" });
    }
    renderDiagrams(document);
    renderCharts();
    renderKpiChart();
    var textarea = document.getElementById("source");
    if (textarea) {
      textarea.addEventListener("input", updateGutter);
      textarea.addEventListener("scroll", function () { document.getElementById("gutter").scrollTop = textarea.scrollTop; });
      textarea.addEventListener("keydown", function (event) {
        if (event.key === "Tab" && !event.shiftKey && !event.ctrlKey && !event.altKey) {
          // Two spaces, as YAML wants; Escape then Tab leaves the editor (keyboard users are not trapped).
          if (textarea.dataset.escaped === "true") { textarea.dataset.escaped = ""; return; }
          event.preventDefault();
          textarea.setRangeText("  ", textarea.selectionStart, textarea.selectionEnd, "end");
          textarea.dispatchEvent(new Event("input", { bubbles: true }));
        } else if (event.key === "Escape") {
          textarea.dataset.escaped = "true";
        }
      });
      updateGutter();
    }
  });

  document.addEventListener("click", function (event) {
    if (event.target.closest && event.target.closest("button.print")) { window.print(); return; }
    var target = event.target.closest && event.target.closest("button.goto");
    if (target) { goToLine(parseInt(target.getAttribute("data-line"), 10)); }
  });

  // Confirmations (no inline script): a button's or form's data-confirm, or, inside an element with
  // data-confirm-decisions, any task decision button. Capturing runs before htmx sees the submit.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var button = event.submitter;
    var text = (button && button.getAttribute("data-confirm")) || form.getAttribute("data-confirm");
    var scope = form.closest && form.closest("[data-confirm-decisions]");
    if (!text && scope && button && button.name === "decision") {
      text = scope.getAttribute("data-confirm-decisions") + " " + button.textContent.trim();
    }
    if (text && !window.confirm(text)) {
      event.preventDefault();
      event.stopPropagation();
    }
  }, true);

  // Live counter: a task decided in place leaves the inbox, so "5 of 5 open tasks" becomes "4 of 4".
  document.addEventListener("htmx:afterRequest", function (event) {
    var path = event.detail && event.detail.pathInfo && event.detail.pathInfo.requestPath;
    var count = document.getElementById("task-count");
    if (!count || !event.detail.successful || !/^\/inbox\/tasks\/\d+\/complete$/.test(path || "")) { return; }
    var seen = 0;
    count.textContent = count.textContent.replace(/\d+/g, function (n) {
      seen += 1;
      return seen <= 2 ? String(Math.max(0, parseInt(n, 10) - 1)) : n;
    });
  });

  document.addEventListener("htmx:afterSettle", function (event) {
    renderDiagrams(event.target);
    updateGutter();
  });
})();

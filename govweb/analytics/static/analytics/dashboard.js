/* Dashboards: draw each [data-chart] element with ECharts from its JSON data. The tables beside
   every chart carry the same figures, so the page is complete without JavaScript. */
(function () {
  "use strict";
  if (!window.echarts) { return; }
  var palette = ["#b3261e", "#1f5fa8", "#2e7d32", "#ef6c00", "#6a1b9a", "#00838f", "#5d4037"];

  function data(el) {
    var node = document.getElementById(el.getAttribute("data-source"));
    return node ? JSON.parse(node.textContent) : null;
  }

  var builders = {
    line: function (d) {
      return {
        tooltip: { trigger: "axis" }, legend: { data: ["浏览量", "访客数"] },
        grid: { left: 50, right: 20, top: 40, bottom: 30 },
        xAxis: { type: "category", data: d.x }, yAxis: { type: "value" },
        series: [{ name: "浏览量", type: "line", smooth: true, data: d.pv },
                 { name: "访客数", type: "line", smooth: true, data: d.uv }]
      };
    },
    bar: function (d) {
      return {
        tooltip: { trigger: "axis" }, grid: { left: 50, right: 20, top: 20, bottom: 60 },
        xAxis: { type: "category", data: d.x, axisLabel: { interval: 0, rotate: d.x.length > 8 ? 30 : 0 } },
        yAxis: { type: "value" },
        series: [{ name: "浏览量", type: "bar", data: d.pv || d.total }]
      };
    },
    pie: function (d) {
      return {
        tooltip: { trigger: "item" }, legend: { bottom: 0 },
        series: [{ type: "pie", radius: ["35%", "65%"], data: d }]
      };
    }
  };

  var charts = [];
  document.querySelectorAll("[data-chart]").forEach(function (el) {
    var d = data(el), build = builders[el.getAttribute("data-chart")];
    if (!d || !build) { return; }
    var chart = window.echarts.init(el, null, { renderer: "canvas" });
    var option = build(d);
    option.color = palette;
    option.animation = false;
    chart.setOption(option);
    charts.push(chart);
  });
  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
})();

/**
 * The run report's only script of its own: it reads the chart specs (charts.ts) from the
 * page's inline JSON and draws each with uPlot into its figure, all charts sharing one
 * cursor (hover a second in one chart, every chart shows it). Plain ES2017 for any browser.
 * A chart that cannot be drawn says why in its figure instead of staying blank.
 */
export const CHART_SCRIPT = `
(function () {
  'use strict';
  var source = document.getElementById('report-data');
  var report = JSON.parse(source.textContent);
  var charts = [];
  function widthOf(el) { return Math.max(320, Math.floor(el.getBoundingClientRect().width)); }
  report.charts.forEach(function (spec) {
    var figure = document.getElementById(spec.id);
    var holder = figure && figure.querySelector('.chart-canvas');
    if (!holder) return;
    try {
      if (typeof uPlot !== 'function') throw new Error('the chart library did not load');
      var options = {
        width: widthOf(holder),
        height: 230,
        cursor: { sync: { key: 'run' } },
        scales: { x: { time: false } },
        axes: [
          { label: 'second of the run', labelSize: 18, stroke: '#4b5563', grid: { stroke: '#eef0f3' }, ticks: { stroke: '#d1d5db' } },
          { label: spec.unit, labelSize: 18, size: 56, stroke: '#4b5563', grid: { stroke: '#eef0f3' }, ticks: { stroke: '#d1d5db' } }
        ],
        series: [{ label: 'second' }].concat(spec.series.map(function (s) {
          var series = { label: s.label, stroke: s.color, width: 1.75, spanGaps: false, points: { show: false } };
          if (s.dash) series.dash = s.dash;
          if (s.fill) series.fill = s.fill;
          return series;
        }))
      };
      charts.push({ plot: new uPlot(options, spec.data, holder), holder: holder });
      figure.setAttribute('data-rendered', 'true');
    } catch (error) {
      figure.setAttribute('data-rendered', 'false');
      holder.textContent = 'This chart could not be drawn: ' + (error && error.message ? error.message : String(error));
      holder.className += ' chart-error';
    }
  });
  var pending = 0;
  window.addEventListener('resize', function () {
    cancelAnimationFrame(pending);
    pending = requestAnimationFrame(function () {
      charts.forEach(function (c) { c.plot.setSize({ width: widthOf(c.holder), height: 230 }); });
    });
  });
})();
`;

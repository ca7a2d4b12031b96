/**
 * The reports page's only script of its own: it reads the trends (trends.ts) from the page's
 * inline JSON and draws each chart with uPlot (inlined beside it). x is each run's start time
 * (UTC); every run gets a marker in its verdict's colour along the top of the plot, and runs
 * that did not pass get a shaded band. Hovering names the run under the cursor; clicking
 * near a run's point opens that run's report. Charts of one scenario share their cursor.
 * Plain ES2017. A chart that cannot be drawn says why in its figure instead of staying blank.
 *
 * `window.reportsPage.charts` holds each chart's uPlot instance and runs, for a reader's
 * devtools and for the page's tests.
 */
export const TRENDS_SCRIPT = `
(function () {
  'use strict';
  var model = JSON.parse(document.getElementById('trends-data').textContent);
  var colors = model.verdictColors;
  var HEIGHT = 250;
  var NEAR_PX = 24;
  var charts = [];
  window.reportsPage = { charts: charts };

  function widthOf(el) { return Math.max(320, Math.floor(el.getBoundingClientRect().width)); }
  function utc(t) { return new Date(t * 1000).toISOString().slice(0, 16).replace('T', ' ') + ' UTC'; }

  /** The run nearest the cursor, when the cursor is within NEAR_PX of its x. */
  function runAtCursor(u, runs) {
    var i = u.cursor.idx;
    if (i === null || i === undefined || !runs[i] || u.cursor.left === undefined || u.cursor.left < 0) return null;
    var x = u.valToPos(runs[i].t, 'x');
    return Math.abs(x - u.cursor.left) <= NEAR_PX ? runs[i] : null;
  }

  function verdictLayer(runs) {
    return function (u) {
      var ctx = u.ctx;
      var dpr = window.devicePixelRatio || 1;
      var top = u.bbox.top;
      var height = u.bbox.height;
      ctx.save();
      runs.forEach(function (run) {
        var x = u.valToPos(run.t, 'x', true);
        if (x < u.bbox.left - 1 || x > u.bbox.left + u.bbox.width + 1) return;
        var color = colors[run.verdict] || colors.unknown;
        if (run.verdict !== 'passed') {
          ctx.fillStyle = color + '22';
          ctx.fillRect(x - 6 * dpr, top, 12 * dpr, height);
        }
        ctx.beginPath();
        ctx.arc(x, top + 7 * dpr, 5 * dpr, 0, 2 * Math.PI);
        ctx.fillStyle = color;
        ctx.fill();
        ctx.lineWidth = 1.5 * dpr;
        ctx.strokeStyle = '#ffffff';
        ctx.stroke();
      });
      ctx.restore();
    };
  }

  function draw(scenario, spec) {
    var figure = document.getElementById(spec.id);
    var holder = figure && figure.querySelector('.chart-canvas');
    var status = figure && figure.querySelector('.chart-run');
    if (!holder) return;
    var runs = scenario.runs;
    try {
      if (typeof uPlot !== 'function') throw new Error('the chart library did not load');
      var axis = { stroke: '#4b5563', grid: { stroke: '#eef0f3' }, ticks: { stroke: '#d1d5db' } };
      var axes = [
        Object.assign({}, axis, { label: 'run start (UTC)', labelSize: 18 }),
        Object.assign({}, axis, { label: spec.unit, labelSize: 18, size: 56 })
      ];
      var scales = {
        x: {
          time: true,
          range: function (u, min, max) {
            var xs = u.data[0];
            // One run: half a day either side (uPlot would span a thousand days).
            if (xs.length === 1) return [xs[0] - 43200, xs[0] + 43200];
            if (min === null || max === null) return [0, 1];
            var pad = max > min ? (max - min) * 0.04 : 43200;
            return [min - pad, max + pad];
          }
        },
        y: { range: function (u, min, max) { return [0, max > 0 ? max * 1.2 : 1]; } }
      };
      if (spec.unit2) {
        axes.push(Object.assign({}, axis, { label: spec.unit2, labelSize: 18, size: 56, side: 1, scale: 'capacity', grid: { show: false } }));
        scales.capacity = { range: function (u, min, max) { return [0, max > 0 ? max * 1.2 : 1]; } };
      }
      var options = {
        width: widthOf(holder),
        height: HEIGHT,
        tzDate: function (ts) { return uPlot.tzDate(new Date(ts * 1000), 'Etc/UTC'); },
        cursor: { sync: { key: 'scenario-' + scenario.scenario }, points: { size: 9 } },
        scales: scales,
        axes: axes,
        series: [{ label: 'run start', value: function (u, v) { return v === null || v === undefined ? '–' : utc(v); } }].concat(spec.series.map(function (s) {
          var series = { label: s.label, stroke: s.color, width: 1.75, scale: s.scale, spanGaps: true, points: { show: true, size: 6, fill: s.color } };
          if (s.dash) series.dash = s.dash;
          return series;
        })),
        hooks: {
          draw: [verdictLayer(runs)],
          setCursor: [function (u) {
            var run = runAtCursor(u, runs);
            u.over.style.cursor = run ? 'pointer' : '';
            if (status) status.textContent = run ? run.id + ' · ' + run.verdict + ' · click to open its report' : 'Point at a run to name it; click it to open its report.';
          }],
          ready: [function (u) {
            var down = null;
            u.over.addEventListener('mousedown', function (event) { down = [event.clientX, event.clientY]; });
            u.over.addEventListener('click', function (event) {
              // A drag (zoom) is not a click on a run.
              if (down && Math.abs(event.clientX - down[0]) + Math.abs(event.clientY - down[1]) > 4) return;
              var run = runAtCursor(u, runs);
              if (!run) return;
              figure.setAttribute('data-opening', run.href);
              window.location.href = run.href;
            });
          }]
        }
      };
      var plot = new uPlot(options, spec.data, holder);
      charts.push({ id: spec.id, scenario: scenario.scenario, kind: spec.kind, plot: plot, runs: runs, holder: holder });
      figure.setAttribute('data-rendered', 'true');
    } catch (error) {
      figure.setAttribute('data-rendered', 'false');
      holder.textContent = 'This chart could not be drawn: ' + (error && error.message ? error.message : String(error));
      holder.className += ' chart-error';
    }
  }

  model.scenarios.forEach(function (scenario) {
    scenario.charts.forEach(function (spec) { draw(scenario, spec); });
  });

  var pending = 0;
  window.addEventListener('resize', function () {
    cancelAnimationFrame(pending);
    pending = requestAnimationFrame(function () {
      charts.forEach(function (c) { c.plot.setSize({ width: widthOf(c.holder), height: HEIGHT }); });
    });
  });
})();
`;

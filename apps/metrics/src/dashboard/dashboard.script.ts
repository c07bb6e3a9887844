/**
 * The dashboard's browser script (served as /dashboard/dashboard.js): polls the JSON API every
 * second and draws SVG line charts and tables. Plain ES2020, no dependencies. For headless tests,
 * every element with `data-chart` gets `data-points` (instants or rows drawn) once it shows data,
 * and line charts `data-last-t`, the time (ms) of their newest point.
 * Kept free of backticks and template placeholders so it can live in this TypeScript string.
 */
export const DASHBOARD_JS = String.raw`
(function () {
  'use strict';
  var POLL_MS = 1000;
  var SVG_NS = 'http://www.w3.org/2000/svg';
  var STAGE_COLORS = { accepted: '#2b6cb0', stored: '#2f855a', routed: '#805ad5', delivered: '#dd6b20', echoed: '#718096' };
  var SPAN_COLORS = { send_to_accepted: '#2b6cb0', accepted_to_stored: '#2f855a', stored_to_delivered: '#dd6b20', send_to_delivered: '#c53030' };
  var SPAN_LABELS = { send_to_accepted: 'send → accepted', accepted_to_stored: 'accepted → stored', stored_to_delivered: 'stored → delivered', send_to_delivered: 'send → delivered' };
  var FALLBACK_COLORS = ['#d53f8c', '#319795', '#975a16', '#4a5568'];
  var latencyWindow = '1m';
  var lastOverview = null;

  function $(selector) { return document.querySelector(selector); }
  function chartEl(name) { return document.querySelector('[data-chart="' + name + '"]'); }

  function esc(value) {
    return String(value).replace(/[&<>"']/g, function (c) {
      return { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c];
    });
  }

  function colorFor(map, key, index) { return map[key] || FALLBACK_COLORS[index % FALLBACK_COLORS.length]; }

  function fmtInt(n) { return n === null || n === undefined ? '–' : Math.round(n).toLocaleString('en-US'); }
  function fmtRate(n) {
    if (n === null || n === undefined) return '–';
    return n >= 100 ? Math.round(n).toLocaleString('en-US') : n.toFixed(1);
  }
  function fmtMs(n) {
    if (n === null || n === undefined) return '–';
    if (n >= 1000) return (n / 1000).toFixed(2) + ' s';
    return (n >= 100 ? n.toFixed(0) : n >= 10 ? n.toFixed(1) : n.toFixed(2)) + ' ms';
  }
  function fmtAgo(at, now) {
    if (at === null || at === undefined) return '–';
    var s = Math.max(0, Math.round((now - at) / 1000));
    if (s < 90) return s + ' s ago';
    if (s < 5400) return Math.round(s / 60) + ' min ago';
    return Math.round(s / 3600) + ' h ago';
  }
  function fmtClock(t) {
    var d = new Date(t);
    function two(n) { return (n < 10 ? '0' : '') + n; }
    return two(d.getHours()) + ':' + two(d.getMinutes()) + ':' + two(d.getSeconds());
  }

  /** Axis ticks carry the number only (the axis title names the unit), with the decimals the step needs. */
  function fmtTick(value, step) {
    var decimals = step >= 1 ? 0 : Math.min(3, Math.ceil(-Math.log10(step)));
    return value.toLocaleString('en-US', { minimumFractionDigits: decimals, maximumFractionDigits: decimals });
  }

  /** A round step for about 'count' ticks between 0 and max. */
  function niceStep(max, count) {
    var raw = max / count;
    var mag = Math.pow(10, Math.floor(Math.log10(raw)));
    var norm = raw / mag;
    var step = norm <= 1 ? 1 : norm <= 2 ? 2 : norm <= 2.5 ? 2.5 : norm <= 5 ? 5 : 10;
    return step * mag;
  }

  function svg(tag, attrs, text) {
    var el = document.createElementNS(SVG_NS, tag);
    for (var k in attrs) el.setAttribute(k, attrs[k]);
    if (text !== undefined) el.textContent = text;
    return el;
  }

  function lastValue(values) {
    for (var i = values.length - 1; i >= 0; i--) if (values[i] !== null) return values[i];
    return null;
  }

  /**
   * Draws series over time: x is the last 'windowSec' seconds up to the newest point, y starts at 0.
   * Null values are gaps. Sets data-points to the number of instants where some series has a value.
   */
  function lineChart(el, t, series, options) {
    var width = Math.max(320, el.clientWidth || 600);
    var height = 240;
    var m = { left: 58, right: 14, top: 12, bottom: 34 };
    var plotW = width - m.left - m.right;
    var plotH = height - m.top - m.bottom;
    var root = svg('svg', { viewBox: '0 0 ' + width + ' ' + height, role: 'img', 'aria-label': options.title });
    var points = 0;
    for (var i = 0; i < t.length; i++) {
      if (series.some(function (s) { return s.values[i] !== null && s.values[i] !== undefined; })) points++;
    }
    // The time axis grows with the history kept, from one minute up to the whole window.
    var tMax = t.length ? t[t.length - 1] : Date.now();
    var tMin = tMax - Math.max(60, options.windowSec) * 1000;
    var yMax = 0;
    series.forEach(function (s) { s.values.forEach(function (v) { if (v !== null && v > yMax) yMax = v; }); });
    var step = niceStep(yMax > 0 ? yMax * 1.1 : options.minMax || 1, 4);
    yMax = Math.max(step, Math.ceil((yMax > 0 ? yMax * 1.05 : options.minMax || 1) / step) * step);
    function x(tv) { return m.left + ((tv - tMin) / (tMax - tMin || 1)) * plotW; }
    function y(v) { return m.top + plotH - (v / yMax) * plotH; }

    for (var yv = 0; yv <= yMax + step / 2; yv += step) {
      root.appendChild(svg('line', { class: 'grid-line', x1: m.left, x2: m.left + plotW, y1: y(yv), y2: y(yv) }));
      root.appendChild(svg('text', { class: 'tick', x: m.left - 6, y: y(yv) + 4, 'text-anchor': 'end' }, fmtTick(yv, step)));
    }
    var spanSec = (tMax - tMin) / 1000;
    var xStepSec = spanSec > 300 ? 120 : spanSec > 120 ? 60 : spanSec > 60 ? 30 : 15;
    var firstTick = Math.ceil(tMin / (xStepSec * 1000)) * xStepSec * 1000;
    for (var tv = firstTick; tv <= tMax; tv += xStepSec * 1000) {
      root.appendChild(svg('line', { class: 'grid-line', x1: x(tv), x2: x(tv), y1: m.top, y2: m.top + plotH }));
      root.appendChild(svg('text', { class: 'tick', x: x(tv), y: m.top + plotH + 16, 'text-anchor': 'middle' }, fmtClock(tv)));
    }
    root.appendChild(svg('line', { class: 'axis-line', x1: m.left, x2: m.left + plotW, y1: m.top + plotH, y2: m.top + plotH }));
    root.appendChild(svg('line', { class: 'axis-line', x1: m.left, x2: m.left, y1: m.top, y2: m.top + plotH }));
    var axis = svg('g', { class: 'axis' });
    axis.appendChild(svg('text', { x: 12, y: m.top + plotH / 2, transform: 'rotate(-90 12 ' + (m.top + plotH / 2) + ')', 'text-anchor': 'middle' }, options.yLabel));
    axis.appendChild(svg('text', { x: m.left + plotW, y: height - 2, 'text-anchor': 'end' }, 'time (local)'));
    root.appendChild(axis);

    series.forEach(function (s) {
      var d = '';
      var pen = false;
      for (var i = 0; i < t.length; i++) {
        var v = s.values[i];
        if (v === null || v === undefined || t[i] < tMin) { pen = false; continue; }
        d += (pen ? 'L' : 'M') + x(t[i]).toFixed(1) + ' ' + y(v).toFixed(1) + ' ';
        pen = true;
      }
      if (d) {
        var attrs = { d: d, fill: 'none', stroke: s.color, 'stroke-width': 2, 'stroke-linejoin': 'round' };
        if (s.dashed) attrs['stroke-dasharray'] = '6 4';
        root.appendChild(svg('path', attrs));
      }
    });
    if (points === 0) {
      root.appendChild(svg('text', { class: 'empty', x: m.left + plotW / 2, y: m.top + plotH / 2, 'text-anchor': 'middle' }, options.emptyText || 'no data yet'));
    }

    var legend = document.createElement('div');
    legend.className = 'legend';
    series.forEach(function (s) {
      var item = document.createElement('span');
      item.className = 'item';
      item.innerHTML = '<span class="swatch' + (s.dashed ? ' dashed' : '') + '" style="border-color:' + esc(s.color) + '"></span>' +
        esc(s.label) + ' <span class="val">' + esc(options.format(lastValue(s.values))) + '</span>';
      legend.appendChild(item);
    });
    el.replaceChildren(root, legend);
    setPoints(el, points);
    // data-points stops growing once the history is full; the newest instant drawn keeps moving.
    if (t.length) el.setAttribute('data-last-t', String(t[t.length - 1]));
  }

  function setPoints(el, n) {
    if (n > 0) el.setAttribute('data-points', String(n));
    else el.removeAttribute('data-points');
  }

  function table(el, head, rows, emptyText) {
    var html = '<thead><tr>' + head.map(function (h) {
      return '<th' + (h.num ? ' class="num"' : '') + '>' + esc(h.label) + '</th>';
    }).join('') + '</tr></thead><tbody>';
    if (rows.length === 0) html += '<tr><td class="none" colspan="' + head.length + '">' + esc(emptyText) + '</td></tr>';
    rows.forEach(function (r) {
      html += '<tr' + (r.cls ? ' class="' + r.cls + '"' : '') + '>' + r.cells.map(function (c, i) {
        return '<td' + (head[i].num ? ' class="num"' : '') + '>' + (c && c.html !== undefined ? c.html : esc(c)) + '</td>';
      }).join('') + '</tr>';
    });
    el.innerHTML = html + '</tbody>';
    setPoints(el, rows.length);
  }

  function tile(name, value, unit, bad) {
    var el = document.querySelector('[data-tile="' + name + '"]');
    el.querySelector('.value').innerHTML = esc(value) + (unit ? '<small>' + esc(unit) + '</small>' : '');
    el.classList.toggle('bad', !!bad);
  }

  function renderSeries(ts) {
    var stages = Object.keys(ts.messagesPerSecond);
    lineChart(chartEl('throughput'), ts.t, stages.map(function (stage, i) {
      return { label: stage, color: colorFor(STAGE_COLORS, stage, i), values: ts.messagesPerSecond[stage] };
    }), { title: 'Throughput', yLabel: 'messages / s', format: fmtRate, windowSec: ts.window, emptyText: 'no instance has reported message counts yet' });

    var spans = Object.keys(ts.latencyMs);
    var latencySeries = [];
    spans.forEach(function (span, i) {
      var color = colorFor(SPAN_COLORS, span, i);
      var label = SPAN_LABELS[span] || span;
      latencySeries.push({ label: label + ' p50', color: color, values: ts.latencyMs[span].p50 });
      latencySeries.push({ label: label + ' p99', color: color, values: ts.latencyMs[span].p99, dashed: true });
    });
    lineChart(chartEl('latency'), ts.t, latencySeries, { title: 'Latency', yLabel: 'milliseconds', format: fmtMs, windowSec: ts.window, emptyText: 'no messages in the last 10 s' });

    lineChart(chartEl('connections'), ts.t, [{ label: 'connections', color: '#2b6cb0', values: ts.connections }],
      { title: 'Connections', yLabel: 'connections', format: fmtInt, windowSec: ts.window, minMax: 5, emptyText: 'no gateway reporting' });
    lineChart(chartEl('lag'), ts.t, [
      { label: 'consumer lag', color: '#805ad5', values: ts.consumerLag },
      { label: 'dead letters', color: '#c53030', values: ts.deadLetters, dashed: true },
    ], { title: 'Consumer lag', yLabel: 'records', format: fmtInt, windowSec: ts.window, minMax: 5, emptyText: 'offsets not read yet' });
  }

  function stage(o, name) {
    for (var i = 0; i < o.messages.stages.length; i++) if (o.messages.stages[i].stage === name) return o.messages.stages[i];
    return { total: 0, perSecond: 0 };
  }

  function renderOverview(o) {
    var now = o.at;
    var reporting = o.messages.reporting;
    tile('accepted-rate', reporting ? fmtRate(stage(o, 'accepted').perSecond) : '–', 'msg/s');
    tile('delivered-rate', reporting ? fmtRate(stage(o, 'delivered').perSecond) : '–', 'msg/s');
    tile('stored-total', reporting ? fmtInt(stage(o, 'stored').total) : '–');
    tile('connections', o.connections.reporting ? fmtInt(o.connections.total) : '–');
    var e2e = o.latency.spans.filter(function (s) { return s.span === 'send_to_delivered'; })[0];
    tile('latency', e2e ? fmtMs(e2e.windows['1m'] ? e2e.windows['1m'].p99Ms : null) : '–');
    var lagKnown = o.consumerLag.polledAt !== null;
    tile('lag', lagKnown ? fmtInt(o.consumerLag.total) : '–', '', lagKnown && o.consumerLag.error !== null);
    tile('dead-letters', lagKnown ? fmtInt(o.deadLetters.total) : '–', '', o.deadLetters.total > 0);
    var missing = o.instances.filter(function (i) { return i.missing; }).length;
    tile('instances', (o.instances.length - missing) + ' / ' + missing, '', missing > 0);
    $('#connections-now').innerHTML = o.connections.reporting ? esc(fmtInt(o.connections.total)) + ' <small>open</small>' : '';
    $('#lag-now').innerHTML = lagKnown ? esc(fmtInt(o.consumerLag.total)) + ' <small>records</small>' : '';

    table(chartEl('gateways'), [{ label: 'gateway' }, { label: 'connections', num: true }],
      o.connections.byGateway.map(function (g) { return { cells: [g.instanceId, fmtInt(g.connections)] }; }), 'no gateway reporting');

    var groups = o.consumerLag.groups.slice().sort(function (a, b) { return b.lag - a.lag || a.groupId.localeCompare(b.groupId); });
    table(chartEl('lag-groups'), [{ label: 'group' }, { label: 'state' }, { label: 'lagging partitions' }, { label: 'lag', num: true }],
      groups.map(function (g) {
        var lagging = g.partitions.filter(function (p) { return p.lag > 0; });
        var detail = lagging.slice(0, 6).map(function (p) { return esc(p.topic) + '[' + p.partition + ']: ' + fmtInt(p.lag); }).join(', ');
        if (lagging.length > 6) detail += ', +' + (lagging.length - 6) + ' more';
        return { cls: g.lag > 0 ? 'nonzero' : '', cells: [g.groupId, g.state, { html: '<span class="detail">' + (detail || 'none') + '</span>' }, fmtInt(g.lag)] };
      }), o.consumerLag.error ? 'offsets not readable: ' + o.consumerLag.error : 'no consumer groups');

    renderLatencyWindows(o.latency.windows);
    var head = [{ label: 'span' }, { label: 'count', num: true }, { label: 'p50', num: true }, { label: 'p90', num: true },
      { label: 'p99', num: true }, { label: 'p99.9', num: true }, { label: 'max', num: true }, { label: 'since start', num: true }];
    var rows = o.latency.spans.filter(function (s) { return s.countSinceStart > 0 || SPAN_LABELS[s.span]; }).map(function (s) {
      var w = s.windows[latencyWindow] || { count: 0 };
      return { cells: [SPAN_LABELS[s.span] || s.span, fmtInt(w.count), fmtMs(w.p50Ms), fmtMs(w.p90Ms), fmtMs(w.p99Ms), fmtMs(w.p999Ms), fmtMs(w.maxMs), fmtInt(s.countSinceStart)] };
    });
    table(chartEl('latency-table'), head, rows, 'no spans');
    setPoints(chartEl('latency-table'), o.latency.spans.filter(function (s) { return s.countSinceStart > 0; }).length);

    table(chartEl('instances'), [{ label: 'service' }, { label: 'instance' }, { label: 'state' }, { label: 'last heartbeat' }, { label: 'last sample' }],
      o.instances.map(function (i) {
        var state = i.missing ? 'missing' : i.ready === true ? 'ready' : 'not_ready';
        return { cls: i.missing ? 'missing' : '', cells: [i.service, i.instanceId, { html: '<span class="badge ' + state + '">' + state.replace('_', ' ') + '</span>' },
          fmtAgo(i.lastHeartbeatAt, now), fmtAgo(i.lastSampleAt, now)] };
      }), 'no instance has reported yet');

    var dlq = o.deadLetters.topics.slice().sort(function (a, b) { return b.records - a.records || a.topic.localeCompare(b.topic); });
    table(chartEl('dead-letters'), [{ label: 'topic' }, { label: 'records', num: true }],
      dlq.map(function (t) { return { cls: t.records > 0 ? 'nonzero' : '', cells: [t.topic, fmtInt(t.records)] }; }),
      lagKnown ? 'no dead-letter topics' : 'not read yet');
  }

  function renderLatencyWindows(windows) {
    var holder = $('#latency-windows');
    if (holder.childElementCount === windows.length) return;
    holder.replaceChildren();
    windows.forEach(function (w) {
      var b = document.createElement('button');
      b.type = 'button';
      b.textContent = w;
      b.setAttribute('aria-pressed', String(w === latencyWindow));
      b.addEventListener('click', function () {
        latencyWindow = w;
        Array.prototype.forEach.call(holder.children, function (c) { c.setAttribute('aria-pressed', String(c.textContent === w)); });
        if (lastOverview) renderOverview(lastOverview);
      });
      holder.appendChild(b);
    });
  }

  function getJson(url) {
    return fetch(url, { cache: 'no-store' }).then(function (r) {
      if (!r.ok) throw new Error(url + ': HTTP ' + r.status);
      return r.json();
    });
  }

  function setStatus(state, text) {
    var el = $('#status');
    el.setAttribute('data-status', state);
    el.textContent = text;
  }

  function poll() {
    Promise.all([getJson('/api/overview'), getJson('/api/timeseries')]).then(function (results) {
      lastOverview = results[0];
      renderOverview(results[0]);
      renderSeries(results[1]);
      setStatus('live', 'live');
      $('#updated').textContent = 'updated ' + fmtClock(results[0].at);
      document.body.setAttribute('data-updated-at', String(results[0].at));
    }).catch(function (error) {
      setStatus('error', 'not updating: ' + error.message);
    }).then(function () {
      setTimeout(poll, POLL_MS);
    });
  }

  poll();
})();
`;

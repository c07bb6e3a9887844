/** The dashboard's HTML (served as /dashboard); the script fills every `data-chart` element. */
export const DASHBOARD_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Chat cluster · metrics</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/dashboard/dashboard.css">
</head>
<body>
<header>
  <h1>Chat cluster</h1>
  <span class="status" id="status" data-status="connecting">connecting…</span>
  <span class="updated" id="updated"></span>
</header>
<main>
  <section class="tiles">
    <div class="tile" data-tile="accepted-rate"><div class="label">Sent</div><div class="value">–</div><div class="sub">accepted, last 10 s</div></div>
    <div class="tile" data-tile="delivered-rate"><div class="label">Delivered</div><div class="value">–</div><div class="sub">to recipients, last 10 s</div></div>
    <div class="tile" data-tile="stored-total"><div class="label">Stored</div><div class="value">–</div><div class="sub">messages in total</div></div>
    <div class="tile" data-tile="connections"><div class="label">Connections</div><div class="value">–</div><div class="sub">open WebSockets</div></div>
    <div class="tile" data-tile="latency"><div class="label">p99 send → delivered</div><div class="value">–</div><div class="sub">last 1 min</div></div>
    <div class="tile" data-tile="lag"><div class="label">Consumer lag</div><div class="value">–</div><div class="sub">records, all groups</div></div>
    <div class="tile" data-tile="dead-letters"><div class="label">Dead letters</div><div class="value">–</div><div class="sub">records in *.dlq</div></div>
    <div class="tile" data-tile="instances"><div class="label">Instances</div><div class="value">–</div><div class="sub">up / missing</div></div>
  </section>
  <section class="grid">
    <article class="panel">
      <h2>Throughput <small>messages per second by stage (rate over 10 s)</small></h2>
      <div class="chart" data-chart="throughput"></div>
    </article>
    <article class="panel">
      <h2>Latency <small>p50 (solid) and p99 (dashed) per span, each point over the 10 s before it</small></h2>
      <div class="chart" data-chart="latency"></div>
    </article>
    <article class="panel">
      <h2>Connections <small>open WebSockets, all gateways</small><span class="now" id="connections-now"></span></h2>
      <div class="chart" data-chart="connections"></div>
      <table data-chart="gateways"></table>
    </article>
    <article class="panel">
      <h2>Consumer lag <small>records not yet consumed, all groups</small><span class="now" id="lag-now"></span></h2>
      <div class="chart" data-chart="lag"></div>
      <table data-chart="lag-groups"></table>
    </article>
    <article class="panel wide">
      <h2>Latency percentiles <small>ms, merged over all instances</small>
        <span class="windows" id="latency-windows"></span></h2>
      <table data-chart="latency-table"></table>
    </article>
    <article class="panel">
      <h2>Instances <small>heartbeats and metrics samples</small></h2>
      <table data-chart="instances"></table>
    </article>
    <article class="panel">
      <h2>Dead-letter topics <small>records retained</small></h2>
      <table data-chart="dead-letters"></table>
    </article>
  </section>
</main>
<script src="/dashboard/dashboard.js"></script>
</body>
</html>
`;

// ipcd console: live utilization bars over server-sent events, and the idle-timeout return to
// the login page. Everything else is plain HTML forms; the pages work without this script.
'use strict';
(function () {
  var body = document.body;
  var fmt = new Intl.NumberFormat('en-US');

  function count(text) {
    var b = BigInt(text);
    if (b < 1000000000000000n) return fmt.format(b);
    var d = b.toString();
    return d[0] + '.' + d[1] + 'e' + (d.length - 1);
  }
  function pct(p) { return p.toFixed(p > 0 && p < 1 ? 2 : 1) + '%'; }
  function level(p) { return p >= 95 ? 'crit' : p >= 80 ? 'warn' : 'ok'; }
  function ratio(a, b) { return b === 0n ? 0 : Number((a * 10000n) / b) / 100; }

  function paint(el, used, assignable, reserved, percent) {
    var bar = el.querySelector('.bar');
    var p = Math.min(100, percent);
    var r = reserved === null ? 0 : Math.min(100 - p, ratio(reserved, assignable));
    bar.classList.remove('ok', 'warn', 'crit');
    bar.classList.add(level(percent));
    bar.setAttribute('aria-valuenow', String(percent));
    bar.setAttribute('aria-valuetext', count(used.toString()) + ' of ' + count(assignable.toString()) + ' used (' + pct(percent) + ')');
    el.querySelector('.bar-used').setAttribute('width', String(p));
    var res = el.querySelector('.bar-reserved');
    res.setAttribute('x', String(p));
    if (reserved !== null) res.setAttribute('width', String(r));
    el.querySelector('.used').textContent = count(used.toString());
    el.querySelector('.assignable').textContent = count(assignable.toString());
    el.querySelector('.pct').textContent = pct(percent);
    el.dataset.used = used.toString();
    el.dataset.assignable = assignable.toString();
    el.classList.remove('flash-update');
    void el.offsetWidth; // restart the highlight animation
    el.classList.add('flash-update');
  }

  function status(text, state) {
    var s = document.getElementById('live-status');
    if (!s) return;
    s.dataset.state = state;
    s.querySelector('.text').textContent = text;
  }

  function onUsage(msg) {
    msg.networks.forEach(function (n) {
      document.querySelectorAll('[data-network-id="' + n.id + '"]').forEach(function (el) {
        paint(el, BigInt(n.used), BigInt(n.assignable), BigInt(n.reserved), n.percent);
      });
    });
    msg.tenants.forEach(function (t) {
      document.querySelectorAll('[data-tenant="' + CSS.escape(t.tenant) + '"]').forEach(function (el) {
        paint(el, BigInt(t.used), BigInt(t.assignable), null, t.percent);
      });
    });
    // Totals of the networks on this page (the dashboard may be filtered), per family.
    var used = 0n, assignable = 0n, used6 = 0n, seen = {};
    document.querySelectorAll('.networks [data-network-id]').forEach(function (el) {
      if (seen[el.dataset.networkId] || el.dataset.used === undefined) return;
      seen[el.dataset.networkId] = true;
      if (el.dataset.family === '6') { used6 += BigInt(el.dataset.used); return; }
      used += BigInt(el.dataset.used);
      assignable += BigInt(el.dataset.assignable);
    });
    var total = document.getElementById('total-used');
    if (total && Object.keys(seen).length) {
      total.textContent = count(used.toString());
      document.getElementById('total-used6').textContent = count(used6.toString());
      var overall = document.querySelector('.summary .wide .usage');
      if (overall) paint(overall, used, assignable, null, ratio(used, assignable));
    }
    var ids = msg.ids.join(',');
    if (known === null) known = ids;
    else if (ids !== known) {
      var note = document.getElementById('topology-changed');
      if (note) note.hidden = false;
    }
    status('Live · updated ' + new Date(msg.at).toLocaleTimeString(), 'live');
  }

  var known = null;
  if (body.dataset.live && window.EventSource) {
    // Seed the page totals with what the server rendered.
    document.querySelectorAll('[data-network-id]').forEach(function (el) {
      if (!el.querySelector('.used')) return;
      el.dataset.used = el.querySelector('.used').textContent.replace(/,/g, '');
      el.dataset.assignable = el.querySelector('.assignable').textContent.replace(/,/g, '');
      if (!/^\d+$/.test(el.dataset.used) || !/^\d+$/.test(el.dataset.assignable)) { delete el.dataset.used; delete el.dataset.assignable; }
    });
    var es = new EventSource(body.dataset.live);
    es.addEventListener('open', function () { status('Live', 'live'); });
    es.addEventListener('usage', function (e) { onUsage(JSON.parse(e.data)); });
    es.addEventListener('expired', function () { es.close(); location.reload(); });
    es.addEventListener('error', function () { status('Reconnecting…', 'down'); });
    window.addEventListener('pagehide', function () { es.close(); });
  }

  // After the idle timeout the session is gone server-side: show the login page rather than a stale one.
  if (body.dataset.expires) {
    var ms = Date.parse(body.dataset.expires) - Date.now() + 2000;
    if (ms > 0 && ms < 2147483647) setTimeout(function () { location.reload(); }, ms);
  }
})();

// ipcd console: live utilization bars over server-sent events, and the idle-timeout return to
// the login page. Everything else is plain HTML forms; the pages work without this script.
'use strict';
(function () {
  var body = document.body;
  var fmt = new Intl.NumberFormat('en-US');

  // As src/ui/format.ts writes counts: 65,534; IPv6-sized ones as powers of two (2⁶⁴ − 2).
  var BIG = 1000000000000000n, SMALL = 1000000n, SUP = '⁰¹²³⁴⁵⁶⁷⁸⁹';
  function sup(k) { return String(k).split('').map(function (d) { return SUP[Number(d)]; }).join(''); }
  function magnitude(r) { return r < 0n ? -r : r; }
  function powers(b, terms) {
    var bits = b.toString(2).length;
    function term(k) {
      var unit = 1n << BigInt(k), m = (b + unit / 2n) / unit;
      return { head: (m > 1n ? m + ' × ' : '') + '2' + sup(k), rest: b - m * unit };
    }
    var t = term(bits);
    for (var k = bits; k > bits - 10; k--) {
      var c = term(k);
      if (magnitude(c.rest) < SMALL) { t = c; break; }
    }
    if (t.rest === 0n) return t.head;
    var tail = magnitude(t.rest);
    if ((tail >= SMALL && tail < BIG) || (tail >= BIG && terms === 1)) return '≈ ' + t.head;
    var more = tail < SMALL ? fmt.format(tail) : powers(tail, terms - 1);
    return more.charAt(0) === '≈' ? '≈ ' + t.head : t.head + (t.rest < 0n ? ' − ' : ' + ') + more;
  }
  function count(text) {
    var b = BigInt(text);
    return b < BIG ? fmt.format(b) : powers(b, 3);
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
    // UTC, as every time the console shows (the page says so).
    status('Live · updated ' + msg.at.slice(11, 19) + ' UTC', 'live');
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

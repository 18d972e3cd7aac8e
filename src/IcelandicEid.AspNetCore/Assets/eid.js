/* Icelandic eID verification page: polls the handler's status endpoint, updates the live status and countdown,
   and moves on when the login has ended. No inline script is needed, so a strict CSP holds. */
(function () {
  'use strict';
  var root = document.querySelector('[data-eid-status-url]');
  if (!root || !window.fetch) { return; }
  var statusUrl = root.getAttribute('data-eid-status-url');
  var finishUrl = root.getAttribute('data-eid-finish-url');
  var refresh = parseInt(root.getAttribute('data-eid-refresh-ms'), 10) || 1000;
  var deadline = Date.now() + (parseInt(root.getAttribute('data-eid-seconds-left'), 10) || 0) * 1000;
  var statusEl = document.getElementById('eid-status');
  var timeEl = document.getElementById('eid-time-left');
  var failures = 0;

  function format(s) { var m = Math.floor(s / 60), r = s % 60; return m + ':' + (r < 10 ? '0' : '') + r; }
  function tick() {
    var s = Math.max(0, Math.round((deadline - Date.now()) / 1000));
    if (timeEl) { timeEl.textContent = format(s); }
    if (s > 0) { window.setTimeout(tick, 1000); }
  }
  function say(message) {
    if (message && statusEl && statusEl.textContent !== message) { statusEl.textContent = message; }
  }
  function poll() {
    window.fetch(statusUrl, { credentials: 'same-origin', cache: 'no-store', headers: { 'Accept': 'application/json' } })
      .then(function (response) { return response.json(); })
      .then(function (s) {
        failures = 0;
        say(s.message);
        if (s.status === 'pending') {
          if (typeof s.secondsLeft === 'number') { deadline = Date.now() + s.secondsLeft * 1000; }
          window.setTimeout(poll, Math.max(250, s.retryAfterMs || refresh));
        } else {
          window.location.assign(s.next || finishUrl);
        }
      })
      .catch(function () {
        failures += 1;
        window.setTimeout(poll, Math.min(10000, refresh * (failures + 1)));
      });
  }
  tick();
  window.setTimeout(poll, refresh);
})();

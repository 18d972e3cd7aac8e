/* Icelandic eID login pages. No inline script is needed, so a strict CSP holds. Everything works without it; with it:
   focus goes to the heading (or the field with an error), the form shows "sending" and cannot be sent twice, and the
   verification page asks for the status (with a timeout), checks at once when the person comes back from the app or
   the connection returns, says when the connection is lost, gives hints when nothing happens, and moves on. */
(function () {
  'use strict';

  function focusFirst() {
    var target = document.querySelector('[aria-invalid="true"]') || document.querySelector('.eid h1');
    if (target && target.focus) { target.focus({ preventScroll: false }); }
  }

  function loginForm() {
    var form = document.querySelector('form[data-eid-login]');
    if (!form) { return; }
    var button = form.querySelector('.eid-submit');
    var label = button ? button.textContent : '';
    form.addEventListener('submit', function (e) {
      if (form.getAttribute('data-sending')) { e.preventDefault(); return; }
      form.setAttribute('data-sending', '1');
      if (button) { button.disabled = true; button.textContent = button.getAttribute('data-eid-sending') || label; }
    });
    // Back to a page kept in the browser's memory: the form works again.
    window.addEventListener('pageshow', function () {
      form.removeAttribute('data-sending');
      if (button) { button.disabled = false; button.textContent = label; }
    });
    // A pointer click on a method moves on to its field; arrow keys only change the choice (focus stays in the group,
    // where a keyboard or screen-reader user expects it: WCAG 3.2.2). A click made by the keyboard has no detail.
    Array.prototype.forEach.call(form.querySelectorAll('input[name=method]'), function (radio) {
      radio.addEventListener('click', function (e) {
        if (!e.detail) { return; }
        var field = form.querySelector('.eid-field-' + radio.value + ' input');
        if (field) { field.focus(); }
      });
    });
  }

  function verifyPage() {
    var root = document.querySelector('[data-eid-status-url]');
    if (!root || !window.fetch) { return; }
    var statusUrl = root.getAttribute('data-eid-status-url');
    var finishUrl = root.getAttribute('data-eid-finish-url');
    var refresh = parseInt(root.getAttribute('data-eid-refresh-ms'), 10) || 1000;
    var deadline = Date.now() + (parseInt(root.getAttribute('data-eid-seconds-left'), 10) || 0) * 1000;
    var started = Date.now();
    var statusEl = document.getElementById('eid-status-text');
    var timeEl = document.getElementById('eid-time-left');
    var lateEl = document.getElementById('eid-late');
    var warnEl = document.getElementById('eid-time-warn');
    var offlineEl = document.getElementById('eid-offline');
    var failures = 0, timer = 0, inFlight = false, done = false;

    function format(s) { var m = Math.floor(s / 60), r = s % 60; return m + ':' + (r < 10 ? '0' : '') + r; }
    function tick() {
      var s = Math.max(0, Math.round((deadline - Date.now()) / 1000));
      if (timeEl) { timeEl.textContent = format(s); }
      // Written into live regions that were there from the start, so that they are announced.
      if (lateEl && !lateEl.textContent && Date.now() - started > 20000) { lateEl.textContent = lateEl.getAttribute('data-eid-text'); }
      if (warnEl && !warnEl.textContent && s > 0 && s <= 30) { warnEl.textContent = warnEl.getAttribute('data-eid-text'); }
      if (s === 0 && !done) { check(); }
      if (s > 0) { window.setTimeout(tick, 1000); }
    }
    function say(message) {
      if (message && statusEl && statusEl.textContent !== message) { statusEl.textContent = message; }
    }
    function offline(lost) { if (offlineEl) { offlineEl.hidden = !lost; } }
    function later(ms) { window.clearTimeout(timer); timer = window.setTimeout(check, ms); }
    function check() {
      if (inFlight || done) { return; }
      inFlight = true;
      var controller = window.AbortController ? new AbortController() : null;
      var abort = controller ? window.setTimeout(function () { controller.abort(); }, 8000) : 0;
      window.fetch(statusUrl, { credentials: 'same-origin', cache: 'no-store', headers: { 'Accept': 'application/json' }, signal: controller ? controller.signal : undefined })
        .then(function (response) { return response.json(); })
        .then(function (s) {
          window.clearTimeout(abort); inFlight = false; failures = 0; offline(false);
          say(s.message);
          if (s.status === 'pending') {
            if (typeof s.secondsLeft === 'number') { deadline = Date.now() + s.secondsLeft * 1000; }
            later(Math.max(250, s.retryAfterMs || refresh));
          } else {
            // Leave the news on screen long enough to be read out, then go on; the page is replaced in the history,
            // so Back after logging in does not come here again.
            done = true;
            window.setTimeout(function () { window.location.replace(s.next || finishUrl); }, s.status === 'succeeded' ? 1200 : 600);
          }
        })
        .catch(function () {
          window.clearTimeout(abort); inFlight = false; failures += 1;
          if (failures >= 2 || !navigator.onLine) { offline(true); }
          later(Math.min(10000, refresh * (failures + 1)));
        });
    }
    // Coming back from the Auðkenni app, to a page restored from memory, or back online: ask at once.
    document.addEventListener('visibilitychange', function () { if (document.visibilityState === 'visible') { later(0); } });
    window.addEventListener('pageshow', function (e) { if (e.persisted) { done = false; later(0); } });
    window.addEventListener('online', function () { later(0); });
    window.addEventListener('offline', function () { offline(true); });
    tick();
    later(refresh);
  }

  function start() { focusFirst(); loginForm(); verifyPage(); }
  if (document.readyState === 'loading') { document.addEventListener('DOMContentLoaded', start); } else { start(); }
})();

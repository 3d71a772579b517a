// Progressive enhancement for the exam: a live countdown. The server keeps the real
// deadline; without JavaScript the page still shows the time left and the end time.
(function () {
  "use strict";
  var timer = document.getElementById("timer");
  if (!timer) { return; }
  var left = parseInt(timer.getAttribute("data-seconds-left"), 10);
  var strong = timer.querySelector("strong");
  var started = Date.now();
  function pad(n) { return n < 10 ? "0" + n : String(n); }
  function tick() {
    var remaining = Math.max(0, left - Math.floor((Date.now() - started) / 1000));
    var h = Math.floor(remaining / 3600);
    var m = Math.floor((remaining % 3600) / 60);
    var s = remaining % 60;
    strong.textContent = (h ? h + ":" + pad(m) : m) + ":" + pad(s);
    if (remaining === 300) { timer.setAttribute("aria-live", "assertive"); }
    if (remaining === 0) {
      // Time is up: save what is on screen; the server closes the attempt and scores it.
      var form = document.getElementById("exam-form") || document.getElementById("submit-form");
      if (form) { form.submit(); } else { window.location.reload(); }
      return;
    }
    window.setTimeout(tick, 1000);
  }
  tick();
})();

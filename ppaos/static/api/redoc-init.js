// Starts Redoc on api/redoc.html (no inline script: CSP script-src 'self'). Redoc puts the nonce
// of this script on the <style> elements it adds, which that page's policy allows (ppaos/api/docs.py).
(function () {
  "use strict";
  var script = document.currentScript;
  var element = document.getElementById("redoc");
  if (!script || !element || typeof Redoc === "undefined") return;
  Redoc.init(script.getAttribute("data-spec-url"), { nonce: script.nonce }, element);
})();

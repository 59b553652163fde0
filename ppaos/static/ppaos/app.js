/* PPAOS page helpers (a static file: the CSP allows no inline script).
   1. Thai digits (๐–๙) typed into number and ID boxes become 0–9 (a number box would drop them).
   2. After a save, a message or error below the fold is scrolled into view and focused.
   3. Buttons marked data-print open the browser's print dialog (app.css has the print rules). */
(function () {
  "use strict";
  var THAI = "๐๑๒๓๔๕๖๗๘๙";
  function ascii(text) {
    return text.replace(/[๐-๙]/g, function (d) { return String(THAI.indexOf(d)); });
  }
  function numeric(el) {
    return el.tagName === "INPUT" && (el.type === "number" || el.inputMode === "numeric"
      || el.getAttribute("inputmode") === "numeric" || el.type === "tel");
  }
  document.addEventListener("beforeinput", function (e) {
    var el = e.target;
    if (!e.data || !/[๐-๙]/.test(e.data) || !numeric(el)) { return; }
    e.preventDefault();
    var text = ascii(e.data);
    if (el.type === "number") {
      el.value = (el.value || "") + text;
    } else {
      el.setRangeText(text, el.selectionStart, el.selectionEnd, "end");
    }
    el.dispatchEvent(new Event("input", { bubbles: true }));
  });
  document.addEventListener("change", function (e) {  // pasted or autofilled
    var el = e.target;
    if (numeric(el) && el.type !== "number" && /[๐-๙]/.test(el.value)) { el.value = ascii(el.value); }
  });

  function showFirstMessage() {
    var first = document.querySelector(
      "main [role=alert], main .messages li.error, main .errorlist, main .messages li");
    if (!first) { return; }
    var box = first.getBoundingClientRect();
    if (box.top >= 0 && box.bottom <= window.innerHeight) { return; }
    if (!first.hasAttribute("tabindex")) { first.setAttribute("tabindex", "-1"); }
    first.scrollIntoView({ block: "center" });
    first.focus({ preventScroll: true });
  }

  document.addEventListener("click", function (e) {
    var button = e.target.closest ? e.target.closest("[data-print]") : null;
    if (button) { e.preventDefault(); window.print(); }
  });
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", showFirstMessage);
  } else {
    showFirstMessage();
  }
})();

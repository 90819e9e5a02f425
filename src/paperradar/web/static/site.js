/* paperradar: small progressive enhancements (no build step). */
(function () {
  "use strict";
  document.addEventListener("keydown", function (ev) {
    var t = ev.target;
    var typing = t && (t.tagName === "INPUT" || t.tagName === "TEXTAREA" || t.tagName === "SELECT" || t.isContentEditable);
    if (ev.key === "/" && !typing && !ev.ctrlKey && !ev.metaKey && !ev.altKey) {
      var box = document.getElementById("site-q");
      if (box) { ev.preventDefault(); box.focus(); }
    }
  });
  function renderMath() {
    if (typeof window.renderMathInElement !== "function") return;
    document.querySelectorAll(".math").forEach(function (el) {
      window.renderMathInElement(el, {
        delimiters: [
          {left: "$$", right: "$$", display: true},
          {left: "\\[", right: "\\]", display: true},
          {left: "\\(", right: "\\)", display: false},
          {left: "$", right: "$", display: false}
        ],
        throwOnError: false,
        ignoredTags: ["script", "noscript", "style", "textarea", "pre", "code"]
      });
    });
  }
  function guessZone() {
    /* digest preferences still on the default UTC: preselect the browser's time zone */
    var sel = document.querySelector("select[data-guess=browser]");
    var zone = window.Intl && Intl.DateTimeFormat().resolvedOptions().timeZone;
    if (!sel || !zone) return;
    for (var i = 0; i < sel.options.length; i++) {
      if (sel.options[i].value === zone) { sel.value = zone; return; }
    }
  }
  function ready() { renderMath(); guessZone(); }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", ready);
  } else {
    ready();
  }
})();

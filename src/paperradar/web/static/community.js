/* paperradar community: upvote toggles in place through the JSON API (no page reload).
   No inline script anywhere (CSP); the plain form post remains the fallback. */
(function () {
  "use strict";
  function setState(form, data) {
    var button = form.querySelector("button.upvotes");
    var count = form.querySelector(".count");
    var action = form.querySelector("input[name=action]");
    if (count) count.textContent = String(data.upvotes);
    if (action) action.value = data.upvoted ? "down" : "up";
    if (button) {
      button.classList.toggle("voted", !!data.upvoted);
      button.setAttribute("aria-pressed", data.upvoted ? "true" : "false");
      button.setAttribute("aria-label", "Upvote: " + data.upvotes + " upvotes");
    }
  }
  function onSubmit(ev) {
    var form = ev.target;
    if (!form.classList || !form.classList.contains("upvote-form") || !window.fetch) return;
    ev.preventDefault();
    var action = form.querySelector("input[name=action]");
    var token = form.querySelector("input[name=csrf_token]");
    var button = form.querySelector("button");
    if (button) button.disabled = true;
    fetch(form.getAttribute("data-api"), {
      method: action && action.value === "down" ? "DELETE" : "POST",
      credentials: "same-origin",
      headers: {"Accept": "application/json", "X-CSRF-Token": token ? token.value : ""}
    }).then(function (r) {
      if (r.status === 401) { window.location.href = "/login?next=" + encodeURIComponent(window.location.pathname); return null; }
      if (!r.ok) throw new Error("HTTP " + r.status);
      return r.json();
    }).then(function (data) {
      if (data) setState(form, data);
    }).catch(function () {
      form.submit();  // fall back to the plain form post
    }).then(function () {
      if (button) button.disabled = false;
    });
  }
  document.addEventListener("submit", onSubmit);
})();

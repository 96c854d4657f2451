/* The search box's suggestions: products and categories as the shopper types, their recent
   searches before they do. Without this script the box is a plain form to the results page. */
(function () {
  "use strict";

  var box = document.querySelector("[data-search]");
  if (!box || !window.fetch) return;
  var input = box.querySelector("input[name=q]");
  var panel = box.querySelector(".search-suggestions");
  var url = box.getAttribute("data-suggest-url");
  var timer = null;
  var latest = 0;

  function items() {
    return Array.prototype.slice.call(panel.querySelectorAll("a.suggest-item"));
  }

  function close() {
    panel.hidden = true;
    input.setAttribute("aria-expanded", "false");
  }

  function show(html) {
    panel.innerHTML = html;
    var empty = !panel.querySelector(".suggest-item, .suggest-empty");
    panel.hidden = empty;
    input.setAttribute("aria-expanded", empty ? "false" : "true");
  }

  function load() {
    var ticket = ++latest;
    fetch(url + "?q=" + encodeURIComponent(input.value), { credentials: "same-origin", headers: { "X-Requested-With": "fetch" } })
      .then(function (response) { return response.ok ? response.text() : ""; })
      .then(function (html) { if (ticket === latest) show(html); })
      .catch(function () { if (ticket === latest) close(); });
  }

  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(load, 120);
  });
  input.addEventListener("focus", function () {
    if (!input.value) load();
  });

  box.addEventListener("keydown", function (event) {
    var links = items();
    var index = links.indexOf(document.activeElement);
    if (event.key === "ArrowDown" && links.length) {
      event.preventDefault();
      if (panel.hidden) return load();
      links[Math.min(index + 1, links.length - 1)].focus();
    } else if (event.key === "ArrowUp" && links.length) {
      event.preventDefault();
      if (index <= 0) input.focus();
      else links[index - 1].focus();
    } else if (event.key === "Escape") {
      close();
      input.focus();
    }
  });

  document.addEventListener("click", function (event) {
    if (!box.contains(event.target)) close();
  });

  // "Clear" in the recent searches: post it here and show the emptied list.
  panel.addEventListener("submit", function (event) {
    var clear = event.target.closest("form[data-recent-clear]");
    if (!clear) return;
    event.preventDefault();
    fetch(clear.action, { method: "POST", body: new FormData(clear), credentials: "same-origin" })
      .then(function () { close(); input.focus(); });
  });

  // Forms marked data-autosubmit apply a choice at once; their button is for pages without this script.
  document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
    var button = select.form.querySelector("[data-autosubmit-hide]");
    if (button) button.hidden = true;
    select.addEventListener("change", function () { select.form.submit(); });
  });
})();

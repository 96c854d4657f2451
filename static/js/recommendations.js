// Fills the "Recommended for you" placeholders of cached pages with the visitor's own products.
// Without JavaScript, or for a visitor with no history (204), the page keeps its best sellers.
(function () {
  "use strict";
  function load(section) {
    fetch(section.getAttribute("data-reco-fragment"), { credentials: "same-origin", headers: { Accept: "text/html" } })
      .then(function (response) {
        if (response.status !== 200) return null;
        return response.text();
      })
      .then(function (html) {
        if (!html) return;
        section.querySelector("[data-reco-body]").innerHTML = html;
        section.hidden = false;
      })
      .catch(function () {});
  }
  function start() {
    document.querySelectorAll("[data-reco-fragment]").forEach(load);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();

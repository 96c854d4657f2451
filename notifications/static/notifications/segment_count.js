// The segment form's live count: asks admin for the number of customers the filters match.
(function () {
  "use strict";
  const output = document.getElementById("segment-count");
  const form = output && output.closest("form");
  if (!form) return;
  let timer = null;
  let latest = 0;
  function refresh() {
    const params = new URLSearchParams(new FormData(form));
    params.delete("csrfmiddlewaretoken");
    const ticket = ++latest;
    fetch(output.dataset.url + "?" + params.toString(), { credentials: "same-origin" })
      .then((response) => response.json())
      .then((data) => {
        if (ticket !== latest) return;
        if (data.count !== null && data.count !== undefined) {
          output.textContent = String(data.count);
        } else {
          output.textContent = Object.values(data.errors || {}).flat().join(" ");
        }
      })
      .catch(() => { if (ticket === latest) output.textContent = "?"; });
  }
  form.addEventListener("input", () => { clearTimeout(timer); timer = setTimeout(refresh, 300); });
  form.addEventListener("change", () => { clearTimeout(timer); timer = setTimeout(refresh, 50); });
})();

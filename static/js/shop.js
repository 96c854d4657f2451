/* Small enhancements; every page works without them. */
(function () {
  "use strict";

  // The listing's filters start folded on phones; open them where there is room.
  if (window.matchMedia("(min-width: 56rem)").matches) {
    document.querySelectorAll("details[data-open-wide]").forEach(function (details) {
      details.open = true;
    });
  }

  // Product photos: thumbnails scroll the photo strip in place instead of jumping the page to
  // the anchor, and the thumbnail of the photo in view is marked as current.
  var smooth = window.matchMedia("(prefers-reduced-motion: no-preference)").matches ? "smooth" : "auto";
  document.querySelectorAll("[data-gallery]").forEach(function (track) {
    var slides = Array.prototype.slice.call(track.querySelectorAll(".gallery-slide"));
    var thumbs = Array.prototype.slice.call(track.parentNode.querySelectorAll(".gallery-thumbs a"));
    function mark(index) {
      thumbs.forEach(function (thumb, i) {
        if (i === index) thumb.setAttribute("aria-current", "true");
        else thumb.removeAttribute("aria-current");
      });
    }
    thumbs.forEach(function (thumb, i) {
      thumb.addEventListener("click", function (event) {
        event.preventDefault();
        track.scrollTo({ left: slides[i].offsetLeft, behavior: smooth });
        mark(i);
      });
    });
    if ("IntersectionObserver" in window) {
      var observer = new IntersectionObserver(function (entries) {
        entries.forEach(function (entry) {
          if (entry.isIntersecting) mark(slides.indexOf(entry.target));
        });
      }, { root: track, threshold: 0.6 });
      slides.forEach(function (slide) { observer.observe(slide); });
    }
  });
})();

/* The header's cart count, from the cookie the cart pages set. */
(function () {
  "use strict";
  var match = document.cookie.match(/(?:^|;\s*)cart_count=(\d+)/);
  var count = match ? parseInt(match[1], 10) : 0;
  document.querySelectorAll("[data-cart-count]").forEach(function (badge) {
    if (count > 0) {
      badge.textContent = String(count);
      badge.hidden = false;
      badge.setAttribute("aria-label", count === 1 ? "1 item" : count + " items");
    }
  });
})();

// Case timeline: moving the version slider shows the state as of that event (a page load of
// ?version=N; the page works without this script through its "Show this version" button).
(function () {
  "use strict";
  var slider = document.getElementById("version");
  var shown = document.getElementById("version-shown");
  if (!slider) return;
  slider.addEventListener("input", function () {
    shown.textContent = slider.value;
  });
  slider.addEventListener("change", function () {
    document.getElementById("version-form").submit();
  });
})();

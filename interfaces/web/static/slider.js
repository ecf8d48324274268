// The history slider: shows where it is while moved, and shows that event when let go.
// Without this script the slider and its button work as a plain form.
document.querySelectorAll("form[data-autosubmit]").forEach(function (form) {
  var range = form.querySelector("input[type=range]");
  var shown = form.querySelector("output");
  if (!range) return;
  range.addEventListener("input", function () {
    if (shown) shown.textContent = range.value + " av " + range.max;
    range.setAttribute("aria-valuetext", "Händelse " + range.value + " av " + range.max);
  });
  range.addEventListener("change", function () { form.submit(); });
});

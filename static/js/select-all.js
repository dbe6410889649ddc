// "Select all" for bulk actions: ticks every selectable row box that belongs to the named form.
(function () {
  "use strict";
  document.addEventListener("click", function (e) {
    var button = e.target.closest("[data-select-all]");
    if (!button) return;
    var form = button.getAttribute("data-select-all");
    var boxes = document.querySelectorAll('input[type="checkbox"][form="' + form + '"][data-selectable]');
    var allOn = Array.prototype.every.call(boxes, function (b) { return b.checked; });
    boxes.forEach(function (b) { b.checked = !allOn; });
  });
})();

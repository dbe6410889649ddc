// Review pages: the print button of the draft decision (no inline handlers: CSP-friendly).
(function () {
  document.addEventListener("click", function (e) {
    var btn = e.target.closest('[data-action="print"]');
    if (!btn) return;
    window.print();
  });
})();

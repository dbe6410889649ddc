// Larger-text switch for older users (适老化); remembered in this browser.
(function () {
  var KEY = "awards.largeText";
  function apply(on) {
    document.body.classList.toggle("large-text", on);
    document.querySelectorAll('[data-action="toggle-large-text"]').forEach(function (b) {
      b.setAttribute("aria-pressed", on ? "true" : "false");
    });
  }
  apply(localStorage.getItem(KEY) === "1");
  document.addEventListener("click", function (e) {
    var btn = e.target.closest('[data-action="toggle-large-text"]');
    if (!btn) return;
    var on = !document.body.classList.contains("large-text");
    localStorage.setItem(KEY, on ? "1" : "0");
    apply(on);
  });
})();

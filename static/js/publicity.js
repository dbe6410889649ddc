// Staff publicity pages: "select all / none" for long lists of checkboxes (the office's final list).
(function () {
  document.addEventListener("click", function (e) {
    var btn = e.target.closest("[data-check-all]");
    if (!btn) return;
    var boxes = document.querySelectorAll('input[type="checkbox"][name="' + btn.getAttribute("data-check-all") + '"]');
    var on = btn.getAttribute("data-state") !== "on";
    boxes.forEach(function (b) { b.checked = on; });
    btn.setAttribute("data-state", on ? "on" : "off");
    btn.textContent = on ? "全不选" : "全选";
  });
})();

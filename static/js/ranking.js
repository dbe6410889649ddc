// Ranking 1..n: drag (SortableJS), move-up/move-down buttons, or type the position.
// Every way keeps the number fields equal to the order on screen; the server reads the numbers.
(function () {
  "use strict";

  function items(list) {
    return Array.prototype.slice.call(list.querySelectorAll("[data-rank-item]"));
  }

  function renumber(list) {
    items(list).forEach(function (li, i) {
      var input = li.querySelector("[data-rank-number]");
      if (input) input.value = String(i + 1);
    });
  }

  function announce(list, li) {
    var form = list.closest("form");
    var status = form && form.querySelector("[data-rank-status]");
    if (!status || !li) return;
    var position = items(list).indexOf(li) + 1;
    status.textContent = li.getAttribute("data-name") + " 现排第 " + position + " 位";
  }

  document.querySelectorAll("[data-rank-list]").forEach(function (list) {
    if (window.Sortable) {
      window.Sortable.create(list, {
        handle: "[data-rank-handle]",
        draggable: "[data-rank-item]",
        animation: 150,
        onEnd: function (evt) { renumber(list); announce(list, evt.item); }
      });
    }

    list.addEventListener("click", function (e) {
      var button = e.target.closest("[data-rank-move]");
      if (!button) return;
      var li = button.closest("[data-rank-item]");
      if (button.getAttribute("data-rank-move") === "up" && li.previousElementSibling) {
        list.insertBefore(li, li.previousElementSibling);
      } else if (button.getAttribute("data-rank-move") === "down" && li.nextElementSibling) {
        list.insertBefore(li.nextElementSibling, li);
      }
      renumber(list);
      button.focus();
      announce(list, li);
    });

    list.addEventListener("change", function (e) {
      var input = e.target.closest("[data-rank-number]");
      if (!input) return;
      var all = items(list);
      var wanted = parseInt(input.value, 10);
      if (isNaN(wanted)) return;
      wanted = Math.max(1, Math.min(all.length, wanted));
      var li = input.closest("[data-rank-item]");
      list.removeChild(li);
      var rest = items(list);
      if (wanted - 1 < rest.length) list.insertBefore(li, rest[wanted - 1]);
      else list.appendChild(li);
      renumber(list);
      input.focus();
      announce(list, li);
    });
  });
})();

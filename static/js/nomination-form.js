// The nomination form: live character counters, add/remove rows, photo preview.
// No inline handlers: everything is wired here (a CSP without 'unsafe-inline' comes later).
(function () {
  "use strict";

  // 字数 as nominations.rules.char_count counts it: code points, without Python's whitespace (\s).
  var SPACE = /[\t\n\v\f\r\x1c-\x1f \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+/g;
  function charCount(text) {
    return Array.from((text || "").replace(SPACE, "")).length;
  }

  function updateCounter(textarea) {
    var box = document.querySelector('[data-counter-for="' + textarea.id + '"]');
    if (!box) return;
    var n = charCount(textarea.value);
    var value = box.querySelector("[data-counter-value]");
    var note = box.querySelector("[data-counter-note]");
    value.textContent = String(n);
    var max = parseInt(textarea.getAttribute("data-count-max") || "0", 10);
    var target = parseInt(textarea.getAttribute("data-count-target") || "0", 10);
    var text = "";
    var bad = false;
    if (max) {
      if (n > max) { text = "，已超出 " + (n - max) + " 字"; bad = true; }
      else { text = "，还可输入 " + (max - n) + " 字"; }
    } else if (target && n > 0) {
      if (n < target * 0.8) { text = "，少于 " + Math.ceil(target * 0.8) + " 字，保存后须说明理由"; bad = true; }
      else if (n > target * 1.2) { text = "，多于 " + Math.floor(target * 1.2) + " 字，保存后须说明理由"; bad = true; }
    }
    note.textContent = text;
    box.classList.toggle("text-danger", bad);
  }

  document.querySelectorAll("textarea[data-count]").forEach(function (textarea) {
    updateCounter(textarea);
    textarea.addEventListener("input", function () { updateCounter(textarea); });
  });

  // Row sections (班子成员, 荣誉): add from the <template>, remove, renumber the formset indices.
  function renumber(section) {
    var prefix = section.getAttribute("data-formset");
    var rows = section.querySelectorAll("[data-formset-body] [data-formset-row]");
    var pattern = new RegExp(prefix + "-(\\d+|__prefix__)-");
    rows.forEach(function (row, i) {
      row.querySelectorAll("input, select, textarea, label").forEach(function (el) {
        ["name", "id", "for"].forEach(function (attr) {
          var v = el.getAttribute(attr);
          if (v) el.setAttribute(attr, v.replace(pattern, prefix + "-" + i + "-"));
        });
      });
    });
    var total = section.querySelector('input[name="' + prefix + '-TOTAL_FORMS"]');
    if (total) total.value = String(rows.length);
  }

  document.querySelectorAll("[data-formset]").forEach(function (section) {
    var body = section.querySelector("[data-formset-body]");
    var empty = section.querySelector("template[data-formset-empty]");
    section.addEventListener("click", function (e) {
      var add = e.target.closest("[data-formset-add]");
      var remove = e.target.closest("[data-formset-remove]");
      if (add && empty) {
        var row = empty.content.firstElementChild.cloneNode(true);
        body.appendChild(row);
        renumber(section);
        var first = row.querySelector("input, select");
        if (first) first.focus();
      } else if (remove) {
        var tr = remove.closest("[data-formset-row]");
        tr.parentNode.removeChild(tr);
        renumber(section);
        if (add === null) {
          var button = section.querySelector("[data-formset-add]");
          if (button) button.focus();
        }
      }
    });
  });

  // 2-inch photo preview (the server re-encodes it; this only shows what was chosen).
  var input = document.querySelector("[data-photo-input]");
  var preview = document.querySelector("[data-photo-preview]");
  var placeholder = document.querySelector("[data-photo-placeholder]");
  if (input && preview) {
    input.addEventListener("change", function () {
      var file = input.files && input.files[0];
      if (!file || !/^image\//.test(file.type)) return;
      if (preview.dataset.objectUrl) URL.revokeObjectURL(preview.dataset.objectUrl);
      var url = URL.createObjectURL(file);
      preview.dataset.objectUrl = url;
      preview.src = url;
      preview.classList.remove("d-none");
      if (placeholder) placeholder.classList.add("d-none");
    });
  }
})();

// The scenario editor's own script (console/templates/scenarios): slot marking in an intent's
// examples box, and clearing the field errors before the loader's new verdict is shown.

// Alpine component of an examples box: select words, choose a slot, press "Mark": the words
// become [words](slot) (the scenario format's annotation), and the form is checked again.
window.slotMarker = function () {
  return {
    hint: "",
    mark: function () {
      var box = this.$refs.box;
      var start = box.selectionStart;
      var end = box.selectionEnd;
      var slot = this.$refs.slot.value;
      var text = box.value.slice(start, end);
      var lang = document.documentElement.lang;
      if (start === end || !text.trim()) {
        this.hint = lang === "ko" ? "먼저 예문에서 단어를 선택하세요." : "Select words in an example first.";
        return;
      }
      if (/[\[\]()\n]/.test(text)) {
        this.hint = lang === "ko" ? "한 줄 안의 표시 없는 단어만 선택하세요." : "Select plain words within one line.";
        return;
      }
      // keep spaces outside the mark
      var lead = text.length - text.trimStart().length;
      var trail = text.length - text.trimEnd().length;
      start += lead;
      end -= trail;
      text = text.trim();
      var marked = "[" + text + "](" + slot + ")";
      box.value = box.value.slice(0, start) + marked + box.value.slice(end);
      box.focus();
      box.setSelectionRange(start, start + marked.length);
      this.hint = "";
      box.dispatchEvent(new Event("input", { bubbles: true }));
    },
  };
};

// Before the verdict is swapped into #check, empty every field's error box (the response then
// fills the boxes of the fields it names, out of band).
window.aicallClearFieldErrors = function (form, event) {
  var target = event.detail && event.detail.target;
  if (!target || target.id !== "check") {
    return;
  }
  form.querySelectorAll(".field-error").forEach(function (el) {
    el.textContent = "";
    el.removeAttribute("role");
  });
};

// After an entry was added, focus its first field.
document.addEventListener("htmx:afterSwap", function (event) {
  var form = document.getElementById("editor");
  if (!form || event.detail.target.id !== "editor-wrap") {
    return;
  }
  var path = form.dataset.focus;
  if (!path) {
    return;
  }
  var box = form.querySelector('[data-path="' + CSS.escape(path) + '"]');
  var input = box && box.querySelector("input, textarea, select");
  if (input) {
    input.focus();
    box.scrollIntoView({ block: "center" });
  }
});

// Names for the admin's widgets that have none of their own, so screen readers (and axe) can
// tell them apart: select2's comboboxes and the rich-text editor take the label of the field
// they stand for, and the byline's table cells take their column's heading.
(() => {
  "use strict";
  const text = (node) => (node?.textContent || "").replace(/[:*]/g, "").replace(/\s+/g, " ").trim();
  const columnHeading = (cell) => {
    const row = cell?.closest("tr");
    const table = cell?.closest("table");
    if (!row || !table) return "";
    const index = Array.from(row.children).indexOf(cell.closest("td, th"));
    return text(table.querySelectorAll("thead th")[index]);
  };
  const nameOf = (control) => {
    const label = control.id && document.querySelector(`label[for="${control.id}"]`);
    return text(label) || columnHeading(control);
  };
  const label = () => {
    const parts = [
      '.select2-selection[role="combobox"]',
      '.select2-selection__rendered[role="textbox"]',
      ".select2-search__field",
    ];
    document.querySelectorAll(parts.map((part) => `${part}:not([aria-label])`).join(", ")).forEach((box) => {
      const select = box.closest(".select2-container")?.previousElementSibling;
      const name = select ? nameOf(select) : "";
      if (name) box.setAttribute("aria-label", name);
    });
    document.querySelectorAll(".prose-editor .ProseMirror:not([aria-label])").forEach((editor) => {
      const textarea = editor.closest(".prose-editor")?.querySelector("textarea");
      const name = textarea ? nameOf(textarea) : "";
      if (name) editor.setAttribute("aria-label", name);
    });
    document.querySelectorAll(".tabular td input:not([type=hidden]):not([aria-label])").forEach((input) => {
      if (input.labels?.length) return;
      const name = columnHeading(input);
      if (name) input.setAttribute("aria-label", name);
    });
    document.querySelectorAll(".tabular thead th.original:empty").forEach((th) => {
      th.innerHTML = '<span class="visually-hidden">Saved as</span>';
    });
  };
  label();
  new MutationObserver(label).observe(document.body, { childList: true, subtree: true });
})();

/* Apiary forms: a reference input suggests matching records as you type.
 *
 * Without this script the input still works: the server resolves the typed title or #number.
 * With it, typing asks /<app>/<Entity>/lookup?q= for the records you may read whose title
 * matches, and picking one keeps its id in the hidden input next to the text.
 */
"use strict";

(function () {
  function setUp(box, index) {
    const text = box.querySelector('input[type="text"]');
    const hidden = box.querySelector('input[type="hidden"]');
    const lookup = box.dataset.lookup;
    if (!text || !hidden || !lookup) {
      return;
    }
    const list = document.createElement("ul");
    list.id = "picker-list-" + index;
    list.className = "picker-list";
    list.setAttribute("role", "listbox");
    list.hidden = true;
    box.appendChild(list);
    text.setAttribute("role", "combobox");
    text.setAttribute("aria-autocomplete", "list");
    text.setAttribute("aria-expanded", "false");
    text.setAttribute("aria-controls", list.id);
    let timer = null;
    let active = -1;
    let asked = 0;

    function close() {
      list.hidden = true;
      list.textContent = "";
      active = -1;
      text.setAttribute("aria-expanded", "false");
      text.removeAttribute("aria-activedescendant");
    }

    function highlight(next) {
      const items = list.querySelectorAll("li[role=option]");
      if (!items.length) {
        return;
      }
      active = (next + items.length) % items.length;
      items.forEach((item, i) => item.setAttribute("aria-selected", String(i === active)));
      text.setAttribute("aria-activedescendant", items[active].id);
    }

    function pick(item) {
      text.value = item.dataset.title;
      hidden.value = item.dataset.id;
      close();
    }

    function show(items) {
      list.textContent = "";
      active = -1;
      items.forEach((found, i) => {
        const item = document.createElement("li");
        item.id = list.id + "-" + i;
        item.setAttribute("role", "option");
        item.setAttribute("aria-selected", "false");
        item.dataset.id = String(found.id);
        item.dataset.title = found.title;
        item.textContent = found.title + " (#" + found.id + ")";
        item.addEventListener("mousedown", (event) => {
          event.preventDefault();
          pick(item);
        });
        list.appendChild(item);
      });
      if (!items.length) {
        const none = document.createElement("li");
        none.className = "none";
        none.textContent = "Nothing found";
        list.appendChild(none);
      }
      list.hidden = false;
      text.setAttribute("aria-expanded", "true");
    }

    function search() {
      const q = text.value.trim();
      if (!q) {
        close();
        return;
      }
      const mine = ++asked;
      fetch(lookup + "?q=" + encodeURIComponent(q), {
        credentials: "same-origin", headers: {"Accept": "application/json"}})
        .then((response) => response.ok ? response.json() : {items: []})
        .then((body) => {
          if (mine === asked && document.activeElement === text) {
            show(body.items || []);
          }
        })
        .catch(() => close());
    }

    text.addEventListener("input", () => {
      hidden.value = "";
      clearTimeout(timer);
      timer = setTimeout(search, 200);
    });
    text.addEventListener("keydown", (event) => {
      if (list.hidden) {
        return;
      }
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        event.preventDefault();
        highlight(active + (event.key === "ArrowDown" ? 1 : -1));
      } else if (event.key === "Enter" && active >= 0) {
        event.preventDefault();
        pick(list.querySelectorAll("li[role=option]")[active]);
      } else if (event.key === "Escape") {
        close();
      }
    });
    text.addEventListener("blur", () => setTimeout(close, 150));
  }

  document.querySelectorAll(".picker[data-lookup]").forEach(setUp);
})();

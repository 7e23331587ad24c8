/* archrepo documentation site: client-side search over window.ARCHREPO_SEARCH_INDEX (set by
   search-index.js, so that it works from file:// where fetch is refused), and diagram zoom. No frameworks. */
(function () {
  "use strict";
  var root = document.body.getAttribute("data-root") || "";
  var index = window.ARCHREPO_SEARCH_INDEX || [];
  var LIMIT = 20;

  function fold(text) {
    return String(text).toLowerCase().normalize("NFD").replace(/[\u0300-\u036f]/g, "")
      .replace(/ø/g, "o").replace(/æ/g, "ae");
  }

  var prepared = index.map(function (entry) {
    return { entry: entry, name: fold(entry.n), id: fold(entry.i) };
  });

  function score(item, query) {
    if (item.id === query) return 0;
    if (item.name.indexOf(query) === 0 || item.id.indexOf(query) === 0) return 1;
    if (item.name.indexOf(" " + query) >= 0 || item.id.indexOf("-" + query) >= 0) return 2;
    if (item.name.indexOf(query) >= 0 || item.id.indexOf(query) >= 0) return 3;
    return -1;
  }

  function search(text) {
    var query = fold(text.trim());
    if (!query) return [];
    var found = [];
    prepared.forEach(function (item, position) {
      var rank = score(item, query);
      if (rank >= 0) found.push([rank, position, item.entry]);
    });
    found.sort(function (a, b) { return a[0] - b[0] || a[1] - b[1]; });
    return found.map(function (f) { return f[2]; });
  }

  var input = document.getElementById("site-search");
  var list = document.getElementById("site-search-results");
  if (input && list) {
    var active = -1;

    var close = function () {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      active = -1;
    };

    var highlight = function (position) {
      var links = list.querySelectorAll("a");
      if (!links.length) return;
      active = (position + links.length) % links.length;
      links.forEach(function (link, i) { link.classList.toggle("active", i === active); });
      links[active].scrollIntoView({ block: "nearest" });
    };

    var show = function () {
      var results = search(input.value);
      list.textContent = "";
      active = -1;
      if (!input.value.trim()) { close(); return; }
      results.slice(0, LIMIT).forEach(function (entry) {
        var li = document.createElement("li");
        var a = document.createElement("a");
        a.href = root + entry.u;
        a.setAttribute("role", "option");
        var name = document.createElement("span");
        name.textContent = entry.n;
        var kind = document.createElement("span");
        kind.className = "kind";
        kind.textContent = entry.k + " · " + entry.i;
        a.appendChild(name);
        a.appendChild(kind);
        li.appendChild(a);
        list.appendChild(li);
      });
      if (!results.length) {
        var none = document.createElement("li");
        none.className = "empty";
        none.textContent = "Nothing matches “" + input.value.trim() + "”.";
        list.appendChild(none);
      } else if (results.length > LIMIT) {
        var more = document.createElement("li");
        more.className = "empty";
        more.textContent = (results.length - LIMIT) + " more: type more of the name or id.";
        list.appendChild(more);
      }
      list.hidden = false;
      input.setAttribute("aria-expanded", "true");
    };

    input.addEventListener("input", show);
    input.addEventListener("focus", function () { if (input.value.trim()) show(); });
    input.addEventListener("keydown", function (event) {
      if (event.key === "ArrowDown") { event.preventDefault(); highlight(active + 1); }
      else if (event.key === "ArrowUp") { event.preventDefault(); highlight(active - 1); }
      else if (event.key === "Escape") { input.value = ""; close(); }
      else if (event.key === "Enter") {
        var links = list.querySelectorAll("a");
        if (links.length) { window.location.href = links[Math.max(active, 0)].href; }
      }
    });
    document.addEventListener("click", function (event) {
      if (!event.target.closest || !event.target.closest(".search")) close();
    });
    document.addEventListener("keydown", function (event) {
      if (event.key === "/" && document.activeElement !== input &&
          !/^(INPUT|TEXTAREA|SELECT)$/.test(document.activeElement.tagName)) {
        event.preventDefault();
        input.focus();
      }
    });
  }

  document.querySelectorAll(".zoom").forEach(function (button) {
    button.addEventListener("click", function () {
      var wrap = button.parentElement.nextElementSibling;
      var actual = wrap.classList.toggle("actual");
      button.setAttribute("aria-pressed", actual ? "true" : "false");
      button.textContent = actual ? "Fit to width" : "Actual size";
    });
  });
})();

// Small enhancements over pages that already work without JavaScript:
// sortable and filterable tables, and the news filters.
(function () {
  "use strict";

  function cellValue(row, index) {
    var cell = row.children[index];
    if (!cell) return "";
    return cell.getAttribute("data-sort") || cell.textContent.trim();
  }

  function compare(a, b) {
    var x = parseFloat(a), y = parseFloat(b);
    if (!isNaN(x) && !isNaN(y) && String(x) === a.split(" ")[0] && String(y) === b.split(" ")[0]) {
      return x - y;
    }
    return a.localeCompare(b, undefined, { sensitivity: "base", numeric: true });
  }

  // Sort buttons inside the column headers; the sorted column carries aria-sort, and the
  // caption says the order in words.
  function makeSortable(table) {
    var headers = table.tHead ? table.tHead.rows[0].cells : [];
    var caption = table.caption;
    Array.prototype.forEach.call(headers, function (th, index) {
      var name = th.textContent.trim();
      var button = document.createElement("button");
      button.type = "button";
      button.textContent = name;
      th.textContent = "";
      th.appendChild(button);
      button.addEventListener("click", function () {
        var ascending = th.getAttribute("aria-sort") !== "ascending";
        Array.prototype.forEach.call(headers, function (other) { other.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
        var body = table.tBodies[0];
        var rows = Array.prototype.slice.call(body.rows);
        rows.sort(function (r1, r2) {
          var order = compare(cellValue(r1, index), cellValue(r2, index));
          return ascending ? order : -order;
        });
        rows.forEach(function (row) { body.appendChild(row); });
        if (caption) {
          caption.textContent = caption.textContent.replace(/, sorted by .*$/, "") +
            ", sorted by " + name.toLowerCase() + (ascending ? ", ascending" : ", descending");
        }
      });
    });
  }

  // A cell matches a filter when one of its comma-separated values is the one chosen.
  function cellHas(row, column, value) {
    return cellValue(row, column).split(/\s*,\s*/).indexOf(value) !== -1;
  }

  function connectFilters(tools, table) {
    var text = tools.querySelector("[data-cwb-filter-text]");
    var selects = tools.querySelectorAll("[data-cwb-filter-column]");
    var count = tools.querySelector("[data-cwb-count]");
    var reset = tools.querySelector("[data-cwb-reset]");
    var empty = document.querySelector("[data-cwb-empty]");
    function apply() {
      var needle = text ? text.value.trim().toLowerCase() : "";
      var shown = 0, total = table.tBodies[0].rows.length, filtered = Boolean(needle);
      Array.prototype.forEach.call(selects, function (select) { if (select.value) filtered = true; });
      Array.prototype.forEach.call(table.tBodies[0].rows, function (row) {
        var visible = !needle || row.textContent.toLowerCase().indexOf(needle) !== -1;
        Array.prototype.forEach.call(selects, function (select) {
          var column = parseInt(select.getAttribute("data-cwb-filter-column"), 10);
          if (select.value && !cellHas(row, column, select.value)) visible = false;
        });
        row.hidden = !visible;
        if (visible) shown += 1;
      });
      if (count) {
        count.textContent = filtered
          ? shown + " of " + total + " case stud" + (total === 1 ? "y" : "ies") + " shown"
          : "All " + total + " case stud" + (total === 1 ? "y" : "ies");
      }
      if (reset) reset.hidden = !filtered;
      if (empty) empty.hidden = shown > 0;
    }
    var timer = null;
    if (text) text.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(apply, 150); });
    Array.prototype.forEach.call(selects, function (select) { select.addEventListener("change", apply); });
    if (reset) {
      reset.addEventListener("click", function () {
        if (text) text.value = "";
        Array.prototype.forEach.call(selects, function (select) { select.value = ""; });
        apply();
        (text || selects[0]).focus();
      });
    }
    tools.hidden = false;
    apply();
  }

  // News pages: filter the items by source and pillar without reloading.
  function connectNewsFilters(form) {
    var items = document.querySelectorAll("article.news-item");
    var count = form.querySelector("[data-news-count]");
    var empty = document.querySelector("[data-news-empty]");
    function apply() {
      var source = form.querySelector("select[name=source]");
      var pillar = form.querySelector("select[name=pillar]");
      var shown = 0;
      Array.prototype.forEach.call(items, function (item) {
        var pillars = (item.getAttribute("data-pillars") || "").split(" ");
        item.hidden = Boolean(
          (source && source.value && item.getAttribute("data-source") !== source.value) ||
          (pillar && pillar.value && pillars.indexOf(pillar.value) === -1));
        if (!item.hidden) shown += 1;
      });
      var filtered = (source && source.value) || (pillar && pillar.value);
      if (count) {
        count.textContent = filtered
          ? shown + " of " + items.length + " items shown"
          : "All " + items.length + " item" + (items.length === 1 ? "" : "s");
      }
      if (empty) empty.hidden = shown > 0;
    }
    form.addEventListener("change", apply);
    form.addEventListener("submit", function (event) { event.preventDefault(); apply(); });
  }

  // Material's own search needs its plugin, which we replace with Pagefind: add a header
  // box that opens the search page (a plain GET form, so it works before any script loads).
  function addHeaderSearch() {
    var header = document.querySelector(".md-header__inner");
    var config = document.getElementById("__config");
    if (!header || !config || document.querySelector(".cwb-header-search")) return;
    var base = JSON.parse(config.textContent).base.replace(/\/?$/, "/");
    var form = document.createElement("form");
    form.className = "cwb-header-search";
    form.setAttribute("role", "search");
    // Named: the search page has a second search landmark, and two unnamed ones are ambiguous.
    form.setAttribute("aria-label", "Site search");
    form.action = base + "search/";
    form.method = "get";
    var label = document.createElement("label");
    label.className = "cwb-visually-hidden";
    label.htmlFor = "cwb-header-search-input";
    label.textContent = "Search the knowledge base";
    var input = document.createElement("input");
    input.id = "cwb-header-search-input";
    input.type = "search";
    input.name = "q";
    input.placeholder = "Search";
    input.autocomplete = "off";
    var params = new URLSearchParams(window.location.search);
    if (document.getElementById("cwb-search-app")) input.value = params.get("q") || "";
    form.appendChild(label);
    form.appendChild(input);
    var options = header.querySelector("form.md-header__option, .md-header__option");
    header.insertBefore(form, options || null);
    document.addEventListener("keydown", function (event) {
      var typing = /^(INPUT|TEXTAREA|SELECT)$/.test(document.activeElement.tagName);
      if (event.key === "/" && !typing && !event.ctrlKey && !event.metaKey && !event.altKey) {
        event.preventDefault();
        (document.getElementById("cwb-search-input") || input).focus();
      }
    });
  }

  // On a phone a wide table becomes a stack of cards, one a row, each cell with its column's
  // name (cwb.css, issue 19): a sideways-scrolling grid hides columns and a keyboard cannot
  // scroll it. The roles keep the table's meaning when CSS makes its parts blocks.
  function stackTable(table) {
    var heads = Array.prototype.map.call(table.querySelectorAll("thead th"), function (th) {
      return th.textContent.trim();
    });
    if (heads.length < 3) return;
    table.setAttribute("data-cwb-stack", "");
    table.setAttribute("role", "table");
    table.querySelectorAll("tr").forEach(function (row) { row.setAttribute("role", "row"); });
    table.querySelectorAll("thead th").forEach(function (th) { th.setAttribute("role", "columnheader"); });
    table.querySelectorAll("tbody tr").forEach(function (row) {
      Array.prototype.forEach.call(row.children, function (cell, column) {
        var header = cell.tagName === "TH";
        cell.setAttribute("role", header ? "rowheader" : "cell");
        if (!header && heads[column]) cell.setAttribute("data-label", heads[column]);
      });
    });
  }

  // A code block wider than the screen scrolls: a keyboard must be able to reach it (WCAG 2.1.1).
  function focusableCode() {
    document.querySelectorAll(".md-typeset pre > code").forEach(function (code) {
      if (code.scrollWidth > code.clientWidth) code.setAttribute("tabindex", "0");
      else if (code.getAttribute("tabindex") === "0") code.removeAttribute("tabindex");
    });
  }

  // Case studies and news items are not in the nav (mkdocs.yml: not_in_nav), so Material marks
  // no tab on them: mark the tab whose address is the longest start of this page's.
  function markSectionTab() {
    if (document.querySelector(".md-tabs__item--active")) return;
    var best = null, length = 1;
    document.querySelectorAll(".md-tabs__item").forEach(function (item) {
      var link = item.querySelector("a.md-tabs__link");
      if (!link) return;
      var path = new URL(link.href, document.baseURI).pathname;
      if (window.location.pathname.indexOf(path) === 0 && path.length > length) {
        best = item;
        length = path.length;
      }
    });
    if (best) best.classList.add("md-tabs__item--active");
  }

  // With navigation.indexes, Material names each section's drawer <nav> by an icon-only <label>:
  // an empty name, so the phone's navs cannot be told apart (axe: landmark-unique). Name each
  // by its section's title instead.
  function nameSectionNavs() {
    document.querySelectorAll("nav.md-nav[aria-labelledby]").forEach(function (nav) {
      var label = document.getElementById(nav.getAttribute("aria-labelledby"));
      var title = nav.querySelector(":scope > .md-nav__title");
      if (!label || label.textContent.trim() || !title || !title.textContent.trim()) return;
      nav.setAttribute("aria-label", title.textContent.trim());
      nav.removeAttribute("aria-labelledby");
    });
  }

  function init() {
    addHeaderSearch();
    nameSectionNavs();
    markSectionTab();
    document.querySelectorAll(".md-typeset table").forEach(function (table) {
      if (!table.closest(".cwb-compare-table, .cwb-figure-table") && table.tHead) stackTable(table);
    });
    focusableCode();
    window.addEventListener("resize", focusableCode);
    document.querySelectorAll("table[data-cwb-sortable]").forEach(makeSortable);
    document.querySelectorAll("[data-cwb-table-tools]").forEach(function (tools) {
      var table = document.getElementById(tools.getAttribute("data-cwb-table-tools"));
      if (table) connectFilters(tools, table);
    });
    document.querySelectorAll("form[data-news-filter]").forEach(connectNewsFilters);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();

// The search page: Pagefind's JavaScript API behind a form that also works as plain GET.
// Facets with counts (OR within a facet, AND across facets), state in the URL so links can be
// shared, browsing by filters with no query, and results announced to screen readers.
(function () {
  "use strict";

  var app = document.getElementById("cwb-search-app");
  if (!app) return;

  var FACETS = JSON.parse(app.getAttribute("data-facets"));       // [[key, label], ...]
  var FIXED_ORDER = JSON.parse(app.getAttribute("data-fixed"));    // {pillar: [...], type: [...]}
  var SHOWN_AT_FIRST = 8;
  var PAGE_SIZE = 10;

  // Readers see words, not the index's values: "local-government" reads "Local government".
  var LABELS = {
    type: { "case study": "Case study", pillar: "Pillar page", news: "News", guide: "Guide" },
    "actor type": {
      cooperative: "Co-operative", nonprofit: "Non-profit", "think-tank": "Think tank",
      financial: "Financial institution", "trade-union": "Trade union", health: "Health body",
      education: "Education", police: "Police", housing: "Housing body"
    }
  };
  var HUMANISED = { type: true, "actor type": true };

  function humanLabel(key, value) {
    var own = LABELS[key] && LABELS[key][value];
    if (own) return own;
    if (!HUMANISED[key]) return value;
    var words = String(value).replace(/-/g, " ");
    return words.charAt(0).toUpperCase() + words.slice(1);
  }

  var form = app.querySelector("form");
  var facetsDrawer = app.querySelector(".cwb-facets-box");
  var input = app.querySelector("#cwb-search-input");
  var facetsBox = app.querySelector(".cwb-facets");
  var status = app.querySelector("#cwb-search-status");
  var list = app.querySelector(".cwb-results");
  var moreButton = app.querySelector(".cwb-more-results");
  var expanded = {};
  var pagefind = null;
  var totals = null;
  var current = { results: [], shown: 0 };
  var generation = 0;

  function siteRoot() {
    var config = document.getElementById("__config");
    var base = config ? JSON.parse(config.textContent).base : "..";
    return new URL(base.replace(/\/?$/, "/"), window.location.href);
  }

  function escapeHtml(text) {
    return String(text).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }

  // Pagefind's excerpts mark matches with <mark>; keep only that markup.
  function safeExcerpt(html) {
    var text = html.replace(/<mark>/g, "\u0001").replace(/<\/mark>/g, "\u0002");
    var decoded = new DOMParser().parseFromString(text, "text/html").documentElement.textContent;
    return escapeHtml(decoded).replace(/\u0001/g, "<mark>").replace(/\u0002/g, "</mark>");
  }

  function readState() {
    var params = new URLSearchParams(window.location.search);
    var state = { q: params.get("q") || "", filters: {} };
    FACETS.forEach(function (facet) {
      var values = params.getAll(facet[0]);
      if (values.length) state.filters[facet[0]] = values;
    });
    return state;
  }

  function stateFromForm() {
    var state = { q: input.value.trim(), filters: {} };
    facetsBox.querySelectorAll("input[type=checkbox]:checked").forEach(function (box) {
      (state.filters[box.name] = state.filters[box.name] || []).push(box.value);
    });
    return state;
  }

  function writeUrl(state) {
    var params = new URLSearchParams();
    if (state.q) params.set("q", state.q);
    FACETS.forEach(function (facet) {
      (state.filters[facet[0]] || []).forEach(function (value) { params.append(facet[0], value); });
    });
    var query = params.toString();
    history.replaceState(null, "", window.location.pathname + (query ? "?" + query : ""));
  }

  function pagefindFilters(filters, except) {
    var result = {};
    Object.keys(filters).forEach(function (key) {
      if (key !== except && filters[key].length) result[key] = { any: filters[key] };
    });
    return result;
  }

  function hasFilters(filters) {
    return Object.keys(filters).some(function (key) { return filters[key].length; });
  }

  // Counts for a facet ignore that facet's own selection, so choosing one pillar still shows
  // how many results the other pillars would add (OR within a facet).
  async function facetCounts(state, main) {
    var counts = {};
    for (var i = 0; i < FACETS.length; i++) {
      var key = FACETS[i][0];
      var selected = state.filters[key] && state.filters[key].length;
      if (!selected) {
        counts[key] = main ? main.filters[key] || {} : totals[key] || {};
        continue;
      }
      var others = pagefindFilters(state.filters, key);
      if (!state.q && !hasFilters(others)) {
        counts[key] = totals[key] || {};
      } else {
        var search = await pagefind.search(state.q || null, { filters: others });
        counts[key] = search.filters[key] || {};
      }
    }
    return counts;
  }

  // Values in the order a reader looks for them: years newest first, everything else
  // alphabetically as shown (places, countries, actor types); pillars and types as fixed.
  function naturalOrder(key) {
    if (key === "year") {
      return function (a, b) { return Number(b) - Number(a) || b.localeCompare(a); };
    }
    return function (a, b) {
      return humanLabel(key, a).localeCompare(humanLabel(key, b), "en", { sensitivity: "base" });
    };
  }

  function orderedValues(key, counts, selected) {
    var values = Object.keys(Object.assign({}, totals[key] || {}, counts));
    if (FIXED_ORDER[key]) return FIXED_ORDER[key].slice();  // all five pillars, always
    return values
      .filter(function (value) { return counts[value] > 0 || selected.indexOf(value) !== -1; })
      .sort(naturalOrder(key));
  }

  // Several words are also searched as a phrase, and pages with the phrase come first:
  // "credit union" ranks credit-union pages above a page with "union" alone. Quotes typed by
  // the reader are left as they are (Pagefind reads them as a phrase already).
  async function rankedSearch(query, filters) {
    var main = await pagefind.search(query || null, { filters: filters });
    var words = query ? query.trim().split(/\s+/) : [];
    if (words.length < 2 || query.indexOf('"') !== -1) return main;
    var phrase = await pagefind.search('"' + words.join(" ") + '"', { filters: filters });
    var has = {};
    // Only a phrase in the text counts (`words` are its places there): a phrase matched in
    // metadata alone, such as a pillar's synonyms on every finance page, does not.
    phrase.results.forEach(function (result) { has[result.id] = (result.words || []).length > 0; });
    // Each part keeps the ranking of the words (a phrase search ranks every match alike).
    var first = main.results.filter(function (result) { return has[result.id]; });
    var rest = main.results.filter(function (result) { return !has[result.id]; });
    return Object.assign({}, main, { results: first.concat(rest) });
  }

  function renderFacets(state, counts) {
    var focused = document.activeElement && document.activeElement.id;
    facetsBox.textContent = "";
    FACETS.forEach(function (facet) {
      var key = facet[0];
      var selected = state.filters[key] || [];
      var values = orderedValues(key, counts[key] || {}, selected);
      if (!values.length) return;
      var fieldset = document.createElement("fieldset");
      var legend = document.createElement("legend");
      legend.textContent = facet[1];
      fieldset.appendChild(legend);
      var limit = expanded[key] ? values.length : SHOWN_AT_FIRST;
      values.forEach(function (value, index) {
        if (index >= limit && selected.indexOf(value) === -1) return;
        var id = "cwb-facet-" + key.replace(/\W+/g, "-") + "-" + index;
        var label = document.createElement("label");
        label.className = "cwb-facet-option";
        var box = document.createElement("input");
        box.type = "checkbox";
        box.name = key;
        box.value = value;
        box.id = id;
        box.checked = selected.indexOf(value) !== -1;
        label.appendChild(box);
        var name = document.createElement("span");
        name.textContent = " " + humanLabel(key, value) + " ";
        label.appendChild(name);
        var count = document.createElement("span");
        count.className = "cwb-facet-count";
        count.textContent = "(" + ((counts[key] || {})[value] || 0) + ")";
        label.appendChild(count);
        fieldset.appendChild(label);
      });
      if (values.length > SHOWN_AT_FIRST) {
        var toggle = document.createElement("button");
        toggle.type = "button";
        toggle.className = "cwb-facet-toggle";
        toggle.id = "cwb-facet-toggle-" + key.replace(/\W+/g, "-");
        toggle.setAttribute("aria-expanded", expanded[key] ? "true" : "false");
        toggle.textContent = expanded[key] ? "Show fewer" : "Show all " + values.length;
        toggle.addEventListener("click", function () {
          expanded[key] = !expanded[key];
          run(stateFromForm(), true);
        });
        fieldset.appendChild(toggle);
      }
      facetsBox.appendChild(fieldset);
    });
    if (focused) {
      var again = document.getElementById(focused);
      if (again) again.focus();
    }
  }

  function describe(state, total) {
    var parts = [];
    Object.keys(state.filters).forEach(function (key) {
      if (state.filters[key].length) {
        parts.push(state.filters[key].map(function (value) { return humanLabel(key, value); }).join(" or "));
      }
    });
    var what = total === 1 ? "1 result" : total + " results";
    var words = state.q ? " for \u201c" + state.q + "\u201d" : "";
    return what + words + (parts.length ? " in " + parts.join(", ") : "");
  }

  async function showMore(run_id) {
    var slice = current.results.slice(current.shown, current.shown + PAGE_SIZE);
    var data = await Promise.all(slice.map(function (result) { return result.data(); }));
    if (run_id !== generation) return;
    data.forEach(function (page) { list.appendChild(resultItem(page)); });
    current.shown += slice.length;
    moreButton.hidden = current.shown >= current.results.length;
  }

  function resultItem(page) {
    var item = document.createElement("li");
    item.className = "cwb-result";
    var heading = document.createElement("h2");
    var link = document.createElement("a");
    link.href = page.url;
    link.textContent = (page.meta && page.meta.title) || page.url;
    heading.appendChild(link);
    item.appendChild(heading);
    var facts = [];
    if (page.filters && page.filters.type) {
      facts.push(page.filters.type.map(function (value) { return humanLabel("type", value); }).join(", "));
    }
    if (page.meta && page.meta.place) facts.push(page.meta.place);
    if (page.meta && page.meta.pillars) facts.push(page.meta.pillars);
    if (facts.length) {
      var meta = document.createElement("p");
      meta.className = "cwb-result-meta";
      meta.textContent = facts.join(" \u00b7 ");
      item.appendChild(meta);
    }
    var excerpt = document.createElement("p");
    excerpt.className = "cwb-result-excerpt";
    excerpt.innerHTML = safeExcerpt(page.excerpt || "");
    item.appendChild(excerpt);
    var title = link.textContent;
    var subs = (page.sub_results || []).filter(function (sub) {
      return sub.url !== page.url && sub.title !== title;  // the page's own heading is the result
    });
    if (subs.length) {
      var sublist = document.createElement("ul");
      sublist.className = "cwb-subresults";
      subs.slice(0, 3).forEach(function (sub) {
        var entry = document.createElement("li");
        var anchor = document.createElement("a");
        anchor.href = sub.url;
        anchor.textContent = sub.title;
        entry.appendChild(anchor);
        sublist.appendChild(entry);
      });
      item.appendChild(sublist);
    }
    return item;
  }

  async function run(state, keepResults) {
    var run_id = ++generation;
    writeUrl(state);
    var browsing = !state.q && !hasFilters(state.filters);
    var main = browsing ? null : await rankedSearch(state.q, pagefindFilters(state.filters));
    if (run_id !== generation) return;
    var counts = await facetCounts(state, main);
    if (run_id !== generation) return;
    renderFacets(state, counts);
    if (keepResults) return;
    list.textContent = "";
    current = { results: main ? main.results : [], shown: 0 };
    if (browsing) {
      status.textContent = "Type words to search, or choose filters to browse.";
      moreButton.hidden = true;
      return;
    }
    await showMore(run_id);
    // Announce once the results are on the page, so a screen reader can move to them.
    if (run_id === generation) status.textContent = describe(state, current.results.length) + ".";
  }

  var typingTimer = null;
  input.addEventListener("input", function () {
    if (!pagefind) return;  // start() reads whatever was typed while the index loaded
    clearTimeout(typingTimer);
    typingTimer = setTimeout(function () { run(stateFromForm()); }, 250);
  });
  facetsBox.addEventListener("change", function () { run(stateFromForm()); });
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    if (pagefind) run(stateFromForm());
  });
  moreButton.addEventListener("click", function () { showMore(generation); });

  async function start() {
    // On a phone the filters fold away under their summary, so that results come first.
    if (window.matchMedia("(max-width: 44.9375em)").matches && !hasFilters(readState().filters)) {
      facetsDrawer.open = false;
    }
    var root = siteRoot();
    var module = await import(new URL("pagefind/pagefind.js", root).href);
    var shards = fetch(new URL("pagefind/shards.json", root).href).then(function (response) {
      return response.ok ? response.json() : [];
    }).catch(function () { return []; });
    await module.options({ baseUrl: root.pathname });
    await module.init();
    // A large site's index comes in shards (generator/search.py): merge the others into this
    // one, so results are ranked together and facet counts summed.
    await Promise.all((await shards).map(function (bundle) {
      return module.mergeIndex(new URL(bundle, root).pathname, { baseUrl: root.pathname });
    }));
    totals = await module.filters();
    pagefind = module;
    var state = readState();
    if (input.value.trim()) state.q = input.value.trim();  // typed while the index loaded
    else input.value = state.q;
    app.classList.add("cwb-search-ready");
    await run(state);
  }

  start().catch(function (error) {
    status.textContent = "Search could not start: " + error.message;
  });
})();

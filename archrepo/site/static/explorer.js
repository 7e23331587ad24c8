/* archrepo explorer: the whole landscape without a server. Data from explorer-data.js
   (window.ARCHREPO_EXPLORER), drawn with Cytoscape.js (vendored, static/vendor/). The overview places every
   application in its owner's box (positions made by archrepo); a click or a search shows an application's
   neighbourhood (1 or 2 hops, integration platforms on the way included). Model text is only ever shown with
   textContent or drawn on Cytoscape's canvas, never parsed as HTML. State lives in the URL fragment
   (#app=ID&hops=2&owner=ORG…), so pages link to a neighbourhood. */
(function () {
  "use strict";
  var data = window.ARCHREPO_EXPLORER;
  var graph = document.getElementById("explorer-graph");
  var message = document.getElementById("explorer-message");
  if (!graph) return;
  if (!data || typeof window.cytoscape !== "function") {
    message.hidden = false;
    message.textContent = "The explorer's data or its graph library did not load.";
    return;
  }

  var FILL = { planned: "#ffffff", active: "#dbeafe", "phase-out": "#fde68a", retired: "#d1d5db" };
  var BORDER = { error: "#dc2626", warning: "#d97706" };
  var SHAPE = { "core-system": "rectangle", "integration-platform": "hexagon", "national-component": "barrel",
                "external-channel": "rhomboid" };
  var NEIGHBOURHOOD_LIMIT = 250; // boxes drawn around a focus; filters narrow the rest
  var RESULTS = 20;

  var orgs = data.orgs.map(function (r, i) { return { index: i, id: r[0], name: r[1], parent: r[2], url: r[3] }; });
  var apps = data.apps.map(function (r, i) {
    return { index: i, id: r[0], name: r[1], owner: r[2], status: r[3], criticality: r[4], roles: r[5],
             worst: r[6], count: r[7], url: r[8], x: r[9], y: r[10], group: r[11] };
  });
  var ints = data.ints.map(function (r, i) {
    return { index: i, source: r[0], target: r[1], via: r[2], standard: data.standards[r[3]], mode: r[4],
             initiator: r[5], id: r[6], name: r[7], status: r[8], worst: r[9], count: r[10], url: r[11] };
  });
  var byId = new Map(apps.map(function (a) { return [a.id, a]; }));
  var orgById = new Map(orgs.map(function (o) { return [o.id, o]; }));
  var touching = apps.map(function () { return []; }); // integrations each application is an end or the via of
  ints.forEach(function (it) {
    [it.source, it.target, it.via].forEach(function (end) {
      if (end >= 0 && touching[end].indexOf(it.index) < 0) touching[end].push(it.index);
    });
  });

  var state = { focus: -1, hops: 1, owner: -1, lifecycles: new Set(["planned", "active", "phase-out"]),
                standard: "", violations: "" };
  var el = function (id) { return document.getElementById(id); };
  var make = function (tag, text, className) {
    var node = document.createElement(tag);
    if (text !== undefined) node.textContent = text;
    if (className) node.className = className;
    return node;
  };

  // --- filters -------------------------------------------------------------------------------------------
  var ownerSet = null;
  function ownersUnder(index) {
    var found = new Set([index]);
    var changed = true;
    while (changed) {
      changed = false;
      orgs.forEach(function (o) {
        if (o.parent >= 0 && found.has(o.parent) && !found.has(o.index)) { found.add(o.index); changed = true; }
      });
    }
    return found;
  }
  function integrationShown(it) {
    return it.status !== "retired" && (!state.standard || it.standard === state.standard);
  }
  function applicationShown(app) {
    if (app.index === state.focus) return true;
    if (ownerSet && !ownerSet.has(app.owner)) return false;
    if (!state.lifecycles.has(app.status)) return false;
    if (state.violations === "error" && app.worst !== "error") return false;
    if (state.violations === "warning" && app.worst !== "error" && app.worst !== "warning") return false;
    if (state.violations === "none" && app.count > 0) return false;
    if (state.standard && !touching[app.index].some(function (k) { return integrationShown(ints[k]); })) return false;
    return true;
  }

  // --- the drawing -----------------------------------------------------------------------------------------
  var cy = window.cytoscape({
    container: graph,
    elements: [],
    minZoom: 0.02,
    maxZoom: 3,
    textureOnViewport: apps.length > 2000,
    hideEdgesOnViewport: true,
    style: [
      { selector: "node", style: {
        "shape": "data(shape)", "width": 150, "height": 40, "background-color": "data(fill)",
        "border-color": "data(border)", "border-width": "data(borderWidth)", "label": "data(label)",
        "font-size": 13, "text-valign": "center", "text-halign": "center", "text-wrap": "ellipsis",
        "text-max-width": 140, "min-zoomed-font-size": 5, "color": "#111827" } },
      { selector: "node.group", style: {
        "shape": "round-rectangle", "background-color": "#f8fafc", "border-color": "#94a3b8", "border-width": 1,
        "label": "data(label)", "text-valign": "top", "text-halign": "center", "font-size": 16,
        "text-max-width": 600, "padding": 12, "color": "#334155", "events": "no" } },
      { selector: "node.focus", style: { "border-width": 5, "border-color": "#1d4ed8", "font-weight": "bold" } },
      { selector: "node.selected", style: { "border-width": 5, "border-color": "#1d4ed8" } },
      { selector: "edge", style: {
        "curve-style": "bezier", "target-arrow-shape": "triangle", "line-color": "data(colour)",
        "target-arrow-color": "data(colour)", "width": "data(width)", "label": "data(label)", "font-size": 9,
        "text-rotation": "autorotate", "text-background-color": "#ffffff", "text-background-opacity": 0.8,
        "min-zoomed-font-size": 7, "arrow-scale": 0.9 } },
      { selector: ".hidden", style: { "display": "none" } }
    ]
  });
  window.archrepoExplorer = { cy: cy, state: state }; // for the tests and the curious

  function nodeData(app) {
    var shape = "round-rectangle";
    app.roles.forEach(function (role) { if (SHAPE[role] && shape === "round-rectangle") shape = SHAPE[role]; });
    return { id: app.id, label: app.name, fill: FILL[app.status] || "#ffffff", border: BORDER[app.worst] || "#374151",
             borderWidth: app.worst === "error" || app.worst === "warning" ? 3 : 1, shape: shape, index: app.index };
  }

  var mode = "landscape";
  function drawLandscape() {
    mode = "landscape";
    var elements = data.groups.map(function (g, i) {
      return { group: "nodes", data: { id: "group-" + i, label: g[0] }, classes: "group" };
    });
    apps.forEach(function (app) {
      var d = nodeData(app);
      d.parent = "group-" + app.group;
      elements.push({ group: "nodes", data: d, position: { x: app.x, y: app.y } });
    });
    cy.batch(function () {
      cy.elements().remove();
      cy.add(elements);
    });
    cy.layout({ name: "preset", fit: false }).run();
    applyFilters();
    cy.fit(cy.nodes(":visible"), 20);
    el("explorer-mode").textContent = "Whole landscape: click an application to see its neighbourhood.";
  }

  function neighbourhood(focus, hops) {
    var distance = new Map([[focus, 0]]);
    var queue = [focus];
    var truncated = false;
    while (queue.length) {
      var current = queue.shift();
      if (distance.get(current) >= hops) continue;
      touching[current].forEach(function (k) {
        var it = ints[k];
        if (!integrationShown(it)) return;
        [it.source, it.target, it.via].forEach(function (end) {
          if (end < 0 || distance.has(end) || !applicationShown(apps[end])) return;
          if (distance.size >= NEIGHBOURHOOD_LIMIT) { truncated = true; return; }
          distance.set(end, distance.get(current) + 1);
          queue.push(end);
        });
      });
    }
    return { distance: distance, truncated: truncated };
  }

  function edgesBetween(distance) {
    var grouped = new Map();
    var add = function (from, to, it) {
      var key = from + ">" + to + (it.mode === "sync" ? ":s" : "");
      var edge = grouped.get(key);
      if (!edge) { edge = { from: from, to: to, sync: it.mode === "sync", standards: new Set(), count: 0, worst: "", pull: false }; grouped.set(key, edge); }
      edge.standards.add(it.standard);
      edge.count += 1;
      if (it.initiator === "t") edge.pull = true;
      if (it.worst === "error" || (it.worst === "warning" && edge.worst !== "error")) edge.worst = it.worst;
    };
    var seen = new Set();
    distance.forEach(function (_, app) {
      touching[app].forEach(function (k) {
        if (seen.has(k)) return;
        seen.add(k);
        var it = ints[k];
        if (!integrationShown(it) || !distance.has(it.source) || !distance.has(it.target)) return;
        if (it.source === it.target) return;
        if (it.via >= 0 && distance.has(it.via)) { add(it.source, it.via, it); add(it.via, it.target, it); }
        else add(it.source, it.target, it);
      });
    });
    return Array.from(grouped.values());
  }

  // Rings around the focus, nearest first, by name; a ring holds a few more boxes than the one inside it, so
  // that a busy application's neighbours stay close enough to read.
  function rings(distance) {
    var order = Array.from(distance.keys()).sort(function (a, b) {
      return distance.get(a) - distance.get(b) || (apps[a].name < apps[b].name ? -1 : apps[a].name > apps[b].name ? 1 : 0);
    });
    var ring = new Map();
    var current = 0, room = 1, lastDistance = 0;
    order.forEach(function (index) {
      if (room === 0 || distance.get(index) !== lastDistance) { current += 1; room = 6 + 6 * current; }
      lastDistance = distance.get(index);
      ring.set(index, current);
      room -= 1;
    });
    return ring;
  }

  function drawNeighbourhood() {
    mode = "neighbourhood";
    var found = neighbourhood(state.focus, state.hops);
    var elements = [];
    rings(found.distance).forEach(function (ring, index) {
      var node = nodeData(apps[index]);
      node.distance = found.distance.get(index);
      node.ring = ring;
      elements.push({ group: "nodes", data: node, classes: index === state.focus ? "focus" : "" });
    });
    edgesBetween(found.distance).forEach(function (e, i) {
      var label = Array.from(e.standards).sort().join(", ") + (e.count > 1 ? " ×" + e.count : "") + (e.pull ? " (pull)" : "");
      elements.push({ group: "edges", data: { id: "e" + i, source: apps[e.from].id, target: apps[e.to].id, label: label,
        colour: BORDER[e.worst] || (e.sync ? "#1d4ed8" : "#6b7280"), width: e.sync ? 2.5 : 1.5 } });
    });
    cy.batch(function () {
      cy.elements().remove();
      cy.add(elements);
    });
    cy.layout({ name: "concentric", concentric: function (n) { return 1000 - n.data("ring"); },
                levelWidth: function () { return 1; }, minNodeSpacing: 12, animate: false, fit: true,
                padding: 30, avoidOverlap: true }).run();
    var focus = apps[state.focus];
    el("explorer-mode").textContent = "Neighbourhood of " + focus.name + " (" + state.hops + " hop" +
      (state.hops > 1 ? "s" : "") + "): " + (found.distance.size - 1) + " applications" +
      (found.truncated ? ", the first " + NEIGHBOURHOOD_LIMIT + " shown: narrow it with the filters" : "") + ".";
    showCount(found.distance.size);
  }

  function applyFilters() {
    if (mode !== "landscape") { drawNeighbourhood(); return; }
    var shown = 0;
    var groupsShown = new Set();
    cy.batch(function () {
      cy.nodes().not(".group").forEach(function (node) {
        var app = apps[node.data("index")];
        var visible = applicationShown(app);
        node.toggleClass("hidden", !visible);
        if (visible) { shown += 1; groupsShown.add(app.group); }
      });
      cy.nodes(".group").forEach(function (node) {
        node.toggleClass("hidden", !groupsShown.has(Number(node.id().slice(6))));
      });
    });
    showCount(shown);
  }

  function showCount(shown) {
    el("explorer-count").textContent = "Showing " + shown + " of " + apps.length + " applications.";
  }

  // --- the selected application ----------------------------------------------------------------------------
  function ownerChain(index) {
    var names = [];
    var seen = new Set();
    while (index >= 0 && !seen.has(index)) { seen.add(index); names.unshift(orgs[index].name); index = orgs[index].parent; }
    return names.join(" › ") || "no owner";
  }

  function describe(app) {
    var panel = el("explorer-detail");
    panel.textContent = "";
    panel.appendChild(make("h2", app.name));
    var facts = make("dl", undefined, "explorer-facts");
    var fact = function (label, value) { facts.appendChild(make("dt", label)); facts.appendChild(make("dd", value)); };
    fact("Id", app.id);
    fact("Owner", ownerChain(app.owner));
    fact("Lifecycle", app.status);
    if (app.criticality) fact("Criticality", app.criticality);
    if (app.roles.length) fact("Roles", app.roles.join(", "));
    fact("Violations", app.count ? app.count + " (worst: " + app.worst + ")" : "none");
    panel.appendChild(facts);
    var open = make("a", "Open its page", "explorer-open");
    open.id = "explorer-open";
    open.href = app.url;
    panel.appendChild(open);
    var list = make("ul", undefined, "explorer-integrations");
    var shown = 0;
    touching[app.index].forEach(function (k) {
      var it = ints[k];
      if (shown >= 60) return;
      shown += 1;
      var li = document.createElement("li");
      var link = make("a", it.name);
      link.href = it.url;
      li.appendChild(link);
      var words;
      if (it.source === app.index) words = " sends to " + apps[it.target].name;
      else if (it.target === app.index) words = " receives from " + apps[it.source].name;
      else words = " carries " + apps[it.source].name + " → " + apps[it.target].name;
      words += " · " + it.standard + ", " + it.mode;
      if (it.via >= 0 && it.via !== app.index) words += ", via " + apps[it.via].name;
      words += it.initiator === "t" ? ", the receiver opens the call" : "";
      if (it.status !== "active") words += " (" + it.status + ")";
      li.appendChild(document.createTextNode(words));
      list.appendChild(li);
    });
    if (touching[app.index].length) {
      panel.appendChild(make("h3", "Integrations (" + touching[app.index].length + ")"));
      panel.appendChild(list);
      if (touching[app.index].length > shown) panel.appendChild(make("p", "… and more on its page.", "note"));
    }
  }

  function select(index) {
    state.focus = index;
    describe(apps[index]);
    drawNeighbourhood();
    saveState();
  }

  // --- search ------------------------------------------------------------------------------------------------
  function fold(text) {
    return String(text).toLowerCase().normalize("NFD").replace(/[\u0300-\u036f]/g, "")
      .replace(/ø/g, "o").replace(/æ/g, "ae");
  }
  var folded = apps.map(function (a) { return [fold(a.name), fold(a.id)]; });
  function search(text) {
    var query = fold(text.trim());
    if (!query) return [];
    var found = [];
    apps.forEach(function (app, i) {
      var name = folded[i][0], id = folded[i][1];
      var rank = id === query ? 0 : (name.indexOf(query) === 0 || id.indexOf(query) === 0) ? 1 :
        (name.indexOf(query) >= 0 || id.indexOf(query) >= 0) ? 2 : -1;
      if (rank >= 0) found.push([rank, name, i]);
    });
    found.sort(function (a, b) { return a[0] - b[0] || (a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0); });
    return found.map(function (f) { return f[2]; });
  }
  var input = el("explorer-search");
  var results = el("explorer-results");
  function showResults() {
    var found = search(input.value);
    results.textContent = "";
    found.slice(0, RESULTS).forEach(function (index) {
      var li = document.createElement("li");
      var button = make("button", apps[index].name);
      button.type = "button";
      button.appendChild(make("span", apps[index].id, "kind"));
      button.addEventListener("click", function () { select(index); });
      li.appendChild(button);
      results.appendChild(li);
    });
    if (input.value.trim() && !found.length) results.appendChild(make("li", "No application matches.", "empty"));
    if (found.length > RESULTS) results.appendChild(make("li", (found.length - RESULTS) + " more: type more.", "empty"));
  }
  input.addEventListener("input", showResults);
  input.addEventListener("keydown", function (event) {
    if (event.key === "Enter") {
      var found = search(input.value);
      if (found.length) select(found[0]);
    }
  });

  // --- controls and the URL fragment -------------------------------------------------------------------------
  var ownerSelect = el("filter-owner");
  orgs.map(function (o) { return [ownerChain(o.index), o.index]; }).sort(function (a, b) {
    return a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0;
  }).forEach(function (entry) {
    var option = make("option", entry[0]);
    option.value = String(entry[1]);
    ownerSelect.appendChild(option);
  });
  var standardSelect = el("filter-standard");
  data.standards.slice().sort().forEach(function (standard) {
    var option = make("option", standard);
    option.value = standard;
    standardSelect.appendChild(option);
  });

  function readControls() {
    state.hops = Number(el("explorer-hops").value) === 2 ? 2 : 1;
    state.owner = ownerSelect.value === "" ? -1 : Number(ownerSelect.value);
    ownerSet = state.owner >= 0 ? ownersUnder(state.owner) : null;
    state.standard = standardSelect.value;
    state.violations = el("filter-violations").value;
    state.lifecycles = new Set(Array.from(document.querySelectorAll("#filter-lifecycle input:checked"),
                                          function (box) { return box.value; }));
  }
  function writeControls() {
    el("explorer-hops").value = String(state.hops);
    ownerSelect.value = state.owner >= 0 ? String(state.owner) : "";
    standardSelect.value = state.standard;
    el("filter-violations").value = state.violations;
    document.querySelectorAll("#filter-lifecycle input").forEach(function (box) {
      box.checked = state.lifecycles.has(box.value);
    });
  }
  ["explorer-hops", "filter-owner", "filter-standard", "filter-violations"].forEach(function (id) {
    el(id).addEventListener("change", function () { readControls(); applyFilters(); saveState(); });
  });
  document.querySelectorAll("#filter-lifecycle input").forEach(function (box) {
    box.addEventListener("change", function () { readControls(); applyFilters(); saveState(); });
  });
  el("explorer-landscape").addEventListener("click", function () {
    state.focus = -1;
    el("explorer-detail").replaceChildren(make("p", "Click an application, or find one by name, to see its neighbourhood.", "empty"));
    drawLandscape();
    saveState();
  });
  el("explorer-fit").addEventListener("click", function () { cy.fit(cy.elements(":visible"), 20); });

  function saveState() {
    var params = new URLSearchParams();
    if (state.focus >= 0) params.set("app", apps[state.focus].id);
    if (state.hops !== 1) params.set("hops", String(state.hops));
    if (state.owner >= 0) params.set("owner", orgs[state.owner].id);
    if (state.standard) params.set("standard", state.standard);
    if (state.violations) params.set("violations", state.violations);
    try { history.replaceState(null, "", "#" + params.toString()); } catch (error) { /* file:// may refuse */ }
  }
  function loadState() {
    state.focus = -1;
    var params = new URLSearchParams(window.location.hash.slice(1));
    state.hops = params.get("hops") === "2" ? 2 : 1;
    var owner = orgById.get(params.get("owner") || "");
    state.owner = owner ? owner.index : -1;
    ownerSet = owner ? ownersUnder(owner.index) : null;
    state.standard = data.standards.indexOf(params.get("standard")) >= 0 ? params.get("standard") : "";
    state.violations = ["error", "warning", "none"].indexOf(params.get("violations")) >= 0 ? params.get("violations") : "";
    writeControls();
    var app = byId.get(params.get("app") || "");
    return app ? app.index : -1;
  }

  cy.on("tap", "node", function (event) {
    var index = event.target.data("index");
    if (typeof index === "number") select(index);
  });

  function start() {
    var initial = loadState();
    drawLandscape();
    if (initial >= 0) select(initial);
    else el("explorer-detail").replaceChildren(make("p", "Click an application, or find one by name, to see its neighbourhood.", "empty"));
  }
  // a link to another state of this page (or Back) changes only the fragment: no new page load
  window.addEventListener("hashchange", start);
  start();
})();

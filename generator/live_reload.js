// Injected by `cwb serve` into every page it serves (never into the built files).
// It listens to the server's event stream: "reload" after a good build reloads the page;
// "problems" while the build is broken shows them over the last good page, until a good build
// reloads it ("good", on reconnecting, reloads a page that missed that build). Every text comes
// from the server as JSON and is set with textContent, never as HTML: a problem quotes a
// contributor's file, which must be shown, never run.
(function () {
  "use strict";
  var ID = "cwb-problems";
  var STYLE =
    "#cwb-problems{position:fixed;z-index:10000;left:0;right:0;bottom:0;max-height:70vh;" +
    "overflow:auto;box-sizing:border-box;padding:1rem 1.25rem;font:16px/1.5 system-ui,sans-serif;" +
    "background:#fff8f6;color:#1b1b1b;border-top:4px solid #b3261e;" +
    "box-shadow:0 -4px 16px rgba(0,0,0,.25);overflow-wrap:anywhere}" +
    "#cwb-problems h2{margin:0 2.5rem .5rem 0;font-size:1.15rem;color:#8c1d18}" +
    "#cwb-problems ol{margin:0;padding-left:1.25rem}" +
    "#cwb-problems li{margin:.5rem 0}" +
    "#cwb-problems code{font:0.95em/1.4 ui-monospace,monospace;font-weight:600}" +
    "#cwb-problems .cwb-hint{display:block;color:#3d3d3d}" +
    "#cwb-problems p{margin:.5rem 0 0}" +
    "#cwb-problems button{position:absolute;top:.6rem;right:.75rem;min-width:44px;" +
    "min-height:44px;font:inherit;font-size:1.4rem;background:transparent;color:inherit;" +
    "border:2px solid currentColor;border-radius:6px;cursor:pointer}" +
    "#cwb-problems button:focus-visible{outline:3px solid #1a73e8;outline-offset:2px}" +
    "#cwb-problems.cwb-dark{background:#2b1716;color:#f3eeee;border-top-color:#f2b8b5}" +
    "#cwb-problems.cwb-dark h2{color:#f2b8b5}#cwb-problems.cwb-dark .cwb-hint{color:#d8cfcf}";

  // Dark when the site's colour toggle says so (Material's "slate"), else as the system prefers.
  function dark() {
    var scheme = document.body.getAttribute("data-md-color-scheme");
    if (scheme) return scheme === "slate";
    return window.matchMedia("(prefers-color-scheme: dark)").matches;
  }

  function element(tag, text, className) {
    var node = document.createElement(tag);
    if (text) node.textContent = text;
    if (className) node.className = className;
    return node;
  }

  function hide() {
    var old = document.getElementById(ID);
    if (old) old.remove();
  }

  function show(state) {
    hide();
    var box = element("section");
    box.id = ID;
    box.setAttribute("role", "alert");
    box.setAttribute("aria-labelledby", ID + "-title");
    if (dark()) box.className = "cwb-dark";
    var style = element("style", STYLE);
    box.appendChild(style);
    var problems = state.problems || [];
    var title = element(
      "h2",
      "The site did not build: " + problems.length +
        (problems.length === 1 ? " problem" : " problems")
    );
    title.id = ID + "-title";
    box.appendChild(title);
    var list = element("ol");
    problems.forEach(function (problem) {
      var item = element("li");
      var where = problem.file || "";
      if (problem.line) where += ":" + problem.line + (problem.column ? ":" + problem.column : "");
      if (where) {
        item.appendChild(element("code", where));
        item.appendChild(document.createTextNode(" "));
      }
      item.appendChild(element("span", problem.message));
      if (problem.hint) item.appendChild(element("span", "Hint: " + problem.hint, "cwb-hint"));
      list.appendChild(item);
    });
    box.appendChild(list);
    box.appendChild(
      element("p", "This page is the last good build. Save a fix and it reloads by itself.")
    );
    var close = element("button", "\u00d7");
    close.type = "button";
    close.setAttribute("aria-label", "Hide the problems");
    close.addEventListener("click", hide);
    box.appendChild(close);
    document.body.appendChild(box);
  }

  var source = new EventSource("__RELOAD_PATH__");
  source.addEventListener("reload", function () {
    location.reload();
  });
  var broken = false; // problems shown since the page loaded, even if dismissed
  source.addEventListener("problems", function (event) {
    broken = true;
    show(JSON.parse(event.data));
  });
  // Sent when the stream (re)connects to a good build: fixed while this page was cut off.
  source.addEventListener("good", function () {
    if (broken) location.reload();
  });
})();

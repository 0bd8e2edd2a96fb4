// The donation page's live preview. Without JavaScript the "Update the preview" button asks the
// server to render it; with it, every change asks the same, and only the preview is replaced.
// The page's policy allows scripts and requests from this origin only.
(function () {
  "use strict";
  var form = document.querySelector("form.donate-form");
  if (!form || !window.fetch || !window.DOMParser) {
    return;
  }
  var timer = null;
  var latest = 0;
  function refresh() {
    var asked = ++latest;
    var data = new URLSearchParams(new FormData(form));
    data.set("action", "preview");
    fetch(form.getAttribute("action"), {
      method: "POST",
      body: data,
      credentials: "same-origin",
      headers: { "Content-Type": "application/x-www-form-urlencoded" }
    })
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (html) {
        // An older answer arriving late never replaces a newer one.
        if (!html || asked !== latest) {
          return;
        }
        var fresh = new DOMParser().parseFromString(html, "text/html").querySelector("section.preview");
        var shown = form.querySelector("section.preview");
        if (fresh && shown) {
          shown.replaceWith(fresh);
        }
      })
      .catch(function () { /* the button still works */ });
  }
  form.addEventListener("input", function () {
    window.clearTimeout(timer);
    timer = window.setTimeout(refresh, 250);
  });
  form.addEventListener("change", refresh);
})();

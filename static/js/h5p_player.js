/* Runs inside the sandboxed H5P iframe (an opaque origin: no cookies, no hub API).
 * Starts h5p-standalone from the data attributes of #h5p-container and hands every xAPI
 * statement and the page height to the embedding page with postMessage; the embedding
 * page decides what to send to the server. */
(function () {
  "use strict";
  var el = document.getElementById("h5p-container");
  if (!el || !window.H5PStandalone) {
    return;
  }
  var data = el.dataset;
  var parentOrigin = data.parentOrigin;

  function tell(message) {
    message.source = "lectern-h5p";
    window.parent.postMessage(message, parentOrigin);
  }

  function reportHeight() {
    tell({ type: "resize", height: Math.ceil(document.documentElement.scrollHeight) });
  }

  var options = {
    h5pJsonPath: data.h5pJsonPath,
    contentJsonPath: data.contentJsonPath,
    librariesPath: data.librariesPath,
    frameJs: data.frameJs,
    frameCss: data.frameCss,
    xAPIObjectIRI: data.objectIri,
    frame: false,
    copyright: false,
    export: false,
    embed: false,
    icon: false,
    fullScreen: false,
  };

  new window.H5PStandalone.H5P(el, options)
    .then(function () {
      window.H5P.externalDispatcher.on("xAPI", function (event) {
        tell({ type: "xapi", statement: event.data.statement });
      });
      tell({ type: "ready" });
      reportHeight();
      if (window.ResizeObserver) {
        new ResizeObserver(reportHeight).observe(document.body);
      } else {
        window.setInterval(reportHeight, 1000);
      }
    })
    .catch(function (error) {
      tell({ type: "error", message: String(error) });
    });
})();

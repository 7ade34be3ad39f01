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

  // The opaque origin has no Web Storage: reading window.localStorage throws SecurityError,
  // which H5P core does not expect. Give it a per-page memory store instead.
  function memoryStorage() {
    var items = {};
    return {
      getItem: function (key) {
        return Object.prototype.hasOwnProperty.call(items, key) ? items[key] : null;
      },
      setItem: function (key, value) {
        items[key] = String(value);
      },
      removeItem: function (key) {
        delete items[key];
      },
      clear: function () {
        items = {};
      },
      key: function (index) {
        return Object.keys(items)[index] || null;
      },
      get length() {
        return Object.keys(items).length;
      },
    };
  }
  ["localStorage", "sessionStorage"].forEach(function (name) {
    try {
      return window[name] && undefined;
    } catch (error) {
      Object.defineProperty(window, name, { value: memoryStorage(), configurable: true });
    }
  });
  var parentOrigin = data.parentOrigin;

  function tell(message) {
    message.source = "lectern-h5p";
    window.parent.postMessage(message, parentOrigin);
  }

  function reportHeight() {
    // The content's own height (not the document's, which is at least the frame's).
    tell({ type: "resize", height: Math.ceil(el.getBoundingClientRect().bottom + 8) });
  }

  var options = {
    h5pJsonPath: data.h5pJsonPath,
    contentJsonPath: data.contentJsonPath,
    librariesPath: data.librariesPath,
    frameJs: data.frameJs,
    frameCss: data.frameCss,
    xAPIObjectIRI: data.objectIri,
    // This page is already the sandboxed iframe: render in place, no nested frame.
    embedType: "div",
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
        new ResizeObserver(reportHeight).observe(el);
      } else {
        window.setInterval(reportHeight, 1000);
      }
    })
    .catch(function (error) {
      tell({ type: "error", message: String(error) });
    });
})();

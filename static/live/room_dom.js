/* Small DOM helpers of the live room. Text always goes in with textContent: questions, names
 * and poll options are user text and must never be parsed as HTML. */
(function () {
  "use strict";

  var gettext = window.gettext || function (text) {
    return text;
  };
  var ngettext = window.ngettext || function (one, many, n) {
    return n === 1 ? one : many;
  };

  function interpolate(format, values) {
    return String(format).replace(/%\((\w+)\)s/g, function (match, name) {
      return Object.prototype.hasOwnProperty.call(values, name) ? String(values[name]) : match;
    });
  }

  /* el("button", {className: "btn", text: "…", data: {action: "pin"}, attrs: {type: "button"}},
   *    [children…]) */
  function el(tag, options, children) {
    var node = document.createElement(tag);
    options = options || {};
    if (options.className) {
      node.className = options.className;
    }
    if (options.text !== undefined && options.text !== null) {
      node.textContent = String(options.text);
    }
    Object.keys(options.data || {}).forEach(function (key) {
      node.dataset[key] = options.data[key];
    });
    Object.keys(options.attrs || {}).forEach(function (key) {
      node.setAttribute(key, options.attrs[key]);
    });
    (children || []).forEach(function (child) {
      if (child !== null && child !== undefined) {
        node.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
      }
    });
    return node;
  }

  function badge(text, tone, testid) {
    return el("span", {
      className: "badge text-bg-" + tone + " me-1",
      text: text,
      attrs: testid ? { "data-testid": testid } : {},
    });
  }

  function clearChildren(node) {
    while (node.firstChild) {
      node.removeChild(node.firstChild);
    }
  }

  /* Puts `nodes` into `parent` in this order, moving only the ones out of place, removing
   * the rest: elements keep their focus and any click in progress. */
  function reorder(parent, nodes) {
    nodes.forEach(function (node, index) {
      if (parent.children[index] !== node) {
        parent.insertBefore(node, parent.children[index] || null);
      }
    });
    while (parent.children.length > nodes.length) {
      parent.removeChild(parent.lastElementChild);
    }
  }

  // Times in the site's time zone (TIME_ZONE, as the pages print them), not the browser's.
  function timeOf(iso) {
    var date = new Date(iso);
    if (isNaN(date.getTime())) {
      return "";
    }
    var options = { hour: "2-digit", minute: "2-digit", hour12: false };
    var zone = document.documentElement.dataset.timeZone;
    try {
      return date.toLocaleTimeString(document.documentElement.lang || undefined, Object.assign({ timeZone: zone || undefined }, options));
    } catch (error) {
      return date.toLocaleTimeString(document.documentElement.lang || undefined, options); // unknown zone name
    }
  }

  window.LecternLive = window.LecternLive || {};
  window.LecternLive.dom = {
    gettext: gettext,
    ngettext: ngettext,
    interpolate: interpolate,
    el: el,
    badge: badge,
    clearChildren: clearChildren,
    reorder: reorder,
    timeOf: timeOf,
  };
})();

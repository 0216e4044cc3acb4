/*
 * Placet cookie banner: asks a website visitor which cookies they accept, records the
 * choice in the operator's consent ledger, and keeps it in this browser.
 *
 *   <script src="https://placet.example/static/cookie-banner.js"
 *           data-placet="https://placet.example" defer></script>
 *
 * Texts come from Placet (GET /v1/cookie-banner/{language}, in the page's <html lang>);
 * the choice goes to POST /v1/cookie-consents. No dependencies, no external resources.
 * The visitor is named by a random id kept in localStorage, never by anything else.
 *
 * For the page's own scripts:
 *   window.PlacetCookies.open()              show the banner again, to change the choice
 *   window.PlacetCookies.accepted("marketing")  true once that kind of cookie is accepted
 *   window.PlacetCookies.choice()            the stored choice, or null
 *   document "placet:cookies" event          fired with {detail: choice} after a choice
 * An element with the attribute data-placet-cookie-settings opens the banner when clicked.
 */
(function () {
  "use strict";

  var script = document.currentScript;
  if (!script || window.PlacetCookies) {
    return;
  }
  var base = (script.getAttribute("data-placet") || new URL(script.src).origin).replace(/\/+$/, "");
  var CHOICE_KEY = "placet-cookie-choice";
  var VISITOR_KEY = "placet-visitor";
  var memory = {};

  var CSS = [
    ":host{all:initial}",
    ".banner{position:fixed;z-index:2147483646;left:50%;bottom:16px;transform:translateX(-50%);",
    "box-sizing:border-box;width:min(640px,calc(100vw - 16px));max-height:calc(100vh - 32px);overflow:auto;",
    "background:#fff;color:#1b1b1b;border:2px solid #1b1b1b;border-radius:8px;padding:16px 20px;",
    "font:16px/1.5 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;box-shadow:0 4px 24px rgba(0,0,0,.25)}",
    ".banner:focus{outline:3px solid #0b57d0;outline-offset:2px}",
    "h2{font-size:1.15em;margin:0 0 8px}",
    "p{margin:0 0 12px}",
    "a{color:#0b4fb3;text-decoration:underline}",
    "a:focus-visible,button:focus-visible,input:focus-visible{outline:3px solid #0b57d0;outline-offset:2px}",
    ".buttons{display:flex;flex-wrap:wrap;gap:8px;margin-top:12px}",
    "button{font:inherit;font-weight:600;min-height:44px;padding:8px 18px;border-radius:6px;cursor:pointer;",
    "border:2px solid #1b3a6b;background:#1b3a6b;color:#fff;flex:1 1 auto}",
    "button.secondary{background:#fff;color:#1b3a6b}",
    "button:hover{background:#0f2547;color:#fff}",
    "fieldset{border:1px solid #6b6b6b;border-radius:6px;margin:12px 0 0;padding:8px 12px}",
    "legend{font-weight:600;padding:0 4px}",
    ".category{display:grid;grid-template-columns:auto 1fr;gap:2px 10px;align-items:start;padding:8px 0;",
    "border-top:1px solid #d0d0d0}",
    ".category:first-of-type{border-top:0}",
    "input{width:22px;height:22px;margin:2px 0 0;accent-color:#1b3a6b}",
    "label{font-weight:600}",
    ".description{grid-column:2;margin:0;font-size:.9375em;color:#3b3b3b}",
    ".status{margin:8px 0 0;font-weight:600;color:#8a1c1c}",
    ".status:empty{margin:0}",
    ".status.ok{color:#1d5e20}",
    ".settings{position:fixed;z-index:2147483645;left:12px;bottom:12px;flex:none;min-height:36px;",
    "padding:4px 12px;font-size:14px;font-weight:600;border-radius:18px}",
    "[hidden]{display:none!important}",
    "@media (max-width:480px){.banner{bottom:8px;padding:12px 14px}.buttons{flex-direction:column}}"
  ].join("");

  var state = { texts: null, host: null, root: null, banner: null, returnFocus: null };

  function storage() {
    try {
      var probe = "placet-probe";
      window.localStorage.setItem(probe, probe);
      window.localStorage.removeItem(probe);
      return window.localStorage;
    } catch (e) {
      return null;
    }
  }

  function read(key) {
    var store = storage();
    var text = store ? store.getItem(key) : memory[key];
    return text === undefined ? null : text;
  }

  function write(key, value) {
    var store = storage();
    if (store) {
      store.setItem(key, value);
    } else {
      memory[key] = value;
    }
  }

  function randomId(bytes) {
    var values = new Uint8Array(bytes);
    window.crypto.getRandomValues(values);
    var text = "";
    for (var i = 0; i < values.length; i += 1) {
      text += String.fromCharCode(values[i]);
    }
    return window.btoa(text).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  function uuid() {
    if (window.crypto.randomUUID) {
      return window.crypto.randomUUID();
    }
    var b = new Uint8Array(16);
    window.crypto.getRandomValues(b);
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    var hex = Array.prototype.map.call(b, function (x) { return (x + 0x100).toString(16).slice(1); }).join("");
    return hex.slice(0, 8) + "-" + hex.slice(8, 12) + "-" + hex.slice(12, 16) + "-" + hex.slice(16, 20) + "-" + hex.slice(20);
  }

  function visitor() {
    var id = read(VISITOR_KEY);
    if (!id || !/^[A-Za-z0-9_-]{22,64}$/.test(id)) {
      id = randomId(16);
      write(VISITOR_KEY, id);
    }
    return id;
  }

  function storedChoice() {
    try {
      var choice = JSON.parse(read(CHOICE_KEY) || "null");
      return choice && typeof choice.categories === "object" ? choice : null;
    } catch (e) {
      return null;
    }
  }

  function pageLanguage() {
    var lang = (document.documentElement.getAttribute("lang") || "").trim();
    return /^[A-Za-z]{2,3}([-_][A-Za-z0-9]{1,8})*$/.test(lang) ? lang : "und";
  }

  function optional(texts) {
    return texts.categories.filter(function (c) { return !c.necessary; });
  }

  function isCurrent(choice, texts) {
    if (!choice || choice.policy_id !== texts.policy_id || choice.policy_version !== texts.policy_version) {
      return false;
    }
    return optional(texts).every(function (c) { return typeof choice.categories[c.id] === "boolean"; });
  }

  function element(tag, attributes, text) {
    var node = document.createElement(tag);
    Object.keys(attributes || {}).forEach(function (name) {
      node.setAttribute(name, attributes[name]);
    });
    if (text) {
      node.textContent = text;
    }
    return node;
  }

  function button(text, action, secondary) {
    var node = element("button", { type: "button", "data-action": action }, text);
    if (secondary) {
      node.className = "secondary";
    }
    return node;
  }

  function build(texts) {
    var host = element("div", { id: "placet-cookie-banner", "data-placet-banner": "" });
    var root = host.attachShadow ? host.attachShadow({ mode: "open" }) : host;
    var style = element("style");
    style.textContent = CSS;
    root.appendChild(style);

    var words = texts.words;
    var banner = element("div", {
      class: "banner",
      role: "dialog",
      "aria-modal": "false",
      "aria-labelledby": "placet-cb-title",
      "aria-describedby": "placet-cb-text",
      tabindex: "-1",
      lang: texts.language,
      hidden: ""
    });
    banner.appendChild(element("h2", { id: "placet-cb-title" }, words.title));
    banner.appendChild(element("p", { id: "placet-cb-text" }, texts.text));
    if (texts.more_label && texts.more_url) {
      var more = element("p");
      more.appendChild(element("a", { href: texts.more_url }, texts.more_label));
      banner.appendChild(more);
    }

    var fieldset = element("fieldset", { id: "placet-cb-categories", hidden: "" });
    fieldset.appendChild(element("legend", {}, words.categories));
    texts.categories.forEach(function (category) {
      var row = element("div", { class: "category" });
      var id = "placet-cb-" + category.id;
      var box = element("input", {
        type: "checkbox",
        id: id,
        name: category.id,
        "aria-describedby": id + "-description"
      });
      if (category.necessary) {
        box.checked = true;
        box.disabled = true;
      }
      row.appendChild(box);
      var label = element("label", { for: id }, category.name);
      if (category.necessary) {
        label.textContent = category.name + " (" + words.always_on + ")";
      }
      row.appendChild(label);
      row.appendChild(element("p", { class: "description", id: id + "-description" }, category.description));
      fieldset.appendChild(row);
    });
    banner.appendChild(fieldset);

    var buttons = element("div", { class: "buttons" });
    buttons.appendChild(button(texts.accept_label, "accept"));
    buttons.appendChild(button(texts.reject_label, "reject"));
    var choose = button(words.choose, "choose", true);
    choose.setAttribute("aria-expanded", "false");
    choose.setAttribute("aria-controls", "placet-cb-categories");
    buttons.appendChild(choose);
    var save = button(words.save, "save", true);
    save.hidden = true;
    buttons.appendChild(save);
    banner.appendChild(buttons);
    banner.appendChild(element("p", { class: "status", role: "status", "aria-live": "polite" }));
    root.appendChild(banner);

    var settings = button(words.settings, "settings", true);
    settings.className = "secondary settings";
    settings.hidden = true;
    root.appendChild(settings);

    root.addEventListener("click", onClick);
    banner.addEventListener("keydown", onKey);
    document.body.appendChild(host);
    state.host = host;
    state.root = root;
    state.banner = banner;
  }

  function find(selector) {
    return state.root.querySelector(selector);
  }

  function showCategories(show) {
    find("fieldset").hidden = !show;
    find("[data-action=save]").hidden = !show;
    find("[data-action=choose]").setAttribute("aria-expanded", show ? "true" : "false");
    find("[data-action=choose]").hidden = show;
  }

  function setStatus(text, ok) {
    var status = find(".status");
    status.textContent = text || "";
    status.className = ok ? "status ok" : "status";
  }

  function open() {
    if (!state.texts) {
      return false;
    }
    var choice = storedChoice();
    optional(state.texts).forEach(function (category) {
      var box = find("#placet-cb-" + category.id);
      box.checked = Boolean(choice && choice.categories[category.id]);
    });
    showCategories(Boolean(choice));
    setStatus("");
    find(".settings").hidden = true;
    state.returnFocus = document.activeElement;
    state.banner.hidden = false;
    state.banner.focus();
    return true;
  }

  function close() {
    state.banner.hidden = true;
    var settings = find(".settings");
    settings.hidden = false;
    var back = state.returnFocus;
    if (back && back !== document.body && back !== state.host && document.contains(back)) {
      back.focus();
    } else {
      settings.focus();
    }
  }

  function onKey(event) {
    if (event.key !== "Escape") {
      return;
    }
    // Escape never decides for the visitor: with a choice already made it closes the
    // banner unchanged; without one the banner stays, waiting for an answer.
    event.preventDefault();
    if (storedChoice() && isCurrent(storedChoice(), state.texts)) {
      close();
    } else {
      state.banner.focus();
    }
  }

  function onClick(event) {
    var target = event.target.closest ? event.target.closest("button") : null;
    if (!target) {
      return;
    }
    var action = target.getAttribute("data-action");
    var categories = {};
    if (action === "choose") {
      showCategories(true);
      var first = find("fieldset input:not([disabled])");
      if (first) {
        first.focus();
      }
      return;
    }
    if (action === "settings") {
      open();
      return;
    }
    optional(state.texts).forEach(function (category) {
      if (action === "accept") {
        categories[category.id] = true;
      } else if (action === "reject") {
        categories[category.id] = false;
      } else {
        categories[category.id] = find("#placet-cb-" + category.id).checked;
      }
    });
    if (action === "accept" || action === "reject" || action === "save") {
      record(categories);
    }
  }

  function send(body, attempt) {
    return window.fetch(base + "/v1/cookie-consents", {
      method: "POST",
      mode: "cors",
      credentials: "omit",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body)
    }).catch(function (error) {
      // One retry with the same choice_id: the ledger records it once.
      if (attempt < 1) {
        return send(body, attempt + 1);
      }
      throw error;
    });
  }

  function record(categories) {
    var texts = state.texts;
    var body = {
      visitor: visitor(),
      choice_id: uuid(),
      language: texts.language,
      categories: categories
    };
    setStatus("");
    state.root.querySelectorAll("button").forEach(function (b) { b.disabled = true; });
    send(body, 0)
      .then(function (response) {
        if (!response.ok) {
          throw new Error("Placet answered " + response.status);
        }
        return response.json();
      })
      .then(function (answer) {
        var choice = {
          policy_id: answer.policy_id,
          policy_version: answer.policy_version,
          categories: answer.categories,
          receipts: answer.receipts.map(function (r) { return r.receipt_id; }),
          choice_id: body.choice_id,
          recorded_at: answer.recorded_at
        };
        write(CHOICE_KEY, JSON.stringify(choice));
        close();
        announce(choice);
      })
      .catch(function () {
        setStatus(texts.words.failed, false);
      })
      .then(function () {
        state.root.querySelectorAll("button").forEach(function (b) { b.disabled = false; });
      });
  }

  function announce(choice) {
    document.dispatchEvent(new CustomEvent("placet:cookies", { detail: choice }));
  }

  function start() {
    document.addEventListener("click", function (event) {
      var opener = event.target.closest ? event.target.closest("[data-placet-cookie-settings]") : null;
      if (opener) {
        event.preventDefault();
        open();
      }
    });
    window.fetch(base + "/v1/cookie-banner/" + encodeURIComponent(pageLanguage()), {
      mode: "cors",
      credentials: "omit"
    })
      .then(function (response) {
        if (!response.ok) {
          throw new Error("Placet answered " + response.status);
        }
        return response.json();
      })
      .then(function (texts) {
        state.texts = texts;
        build(texts);
        var choice = storedChoice();
        if (isCurrent(choice, texts)) {
          find(".settings").hidden = false;
          announce(choice);
        } else {
          open();
        }
      })
      .catch(function (error) {
        // Without its texts the banner cannot ask; nothing that needs consent is allowed.
        if (window.console) {
          window.console.warn("Placet cookie banner: " + error.message);
        }
      });
  }

  window.PlacetCookies = {
    open: open,
    choice: storedChoice,
    accepted: function (category) {
      var choice = storedChoice();
      return Boolean(choice && state.texts && isCurrent(choice, state.texts) && choice.categories[category] === true);
    }
  };

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();

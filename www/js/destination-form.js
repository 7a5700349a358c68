// The destination form (step 7 of the guide): platform name with presets,
// request type, URL, mode, authentication, headers, body template. Used by
// the webhook wizard and by the Destinations page.

import { h, mount, field, select, uid } from "./dom.js";
import { presets, presetOf } from "./presets.js";
import { AUTH_TYPES, MODES, METHODS, slug, uniqueId } from "./model.js";

/**
 * Renders the form for destination model `m` into `root`.
 * ctx: { problems, changed(), origin, takenIds: Set (other destinations' ids), usedBy: [names] }
 */
export function renderDestinationForm(root, m, ctx) {
  const { problems } = ctx;
  problems.reset("destination.");
  const rerender = () => {
    renderDestinationForm(root, m, ctx);
    ctx.changed();
  };
  const reg = (key, input, msg, touchOn) => problems.reg(key, input, msg, touchOn);
  const bind = (input, prop, { rerenderOnChange = false, after } = {}) => {
    const ev = input.type === "checkbox" ? "change" : input.localName === "select" ? "change" : "input";
    input.addEventListener(ev, () => {
      m[prop] = input.type === "checkbox" ? input.checked : input.value;
      if (after) after();
      if (rerenderOnChange) rerender();
      else ctx.changed();
    });
    return input;
  };
  const setIdFromPlatform = () => {
    if (!m.idEdited) m.id = uniqueId(slug(m.platform), ctx.takenIds);
  };

  // Presets.
  const all = presets(ctx.origin);
  const current = presetOf(m.platform, ctx.origin);
  const chips = h(
    "div",
    { class: "chips", role: "group", "aria-label": "Presets" },
    all.map((p) =>
      h(
        "button",
        {
          type: "button",
          class: "chip" + (current && current.key === p.key ? " on" : ""),
          "aria-pressed": String(!!(current && current.key === p.key)),
          dataset: { preset: p.key },
          onclick: () => {
            m.platform = p.platform;
            m.method = p.method;
            m.url = p.url;
            m.mode = p.mode;
            m.bodyText = p.body == null ? "" : JSON.stringify(p.body, null, 2);
            if (p.mode !== "cors") {
              m.authType = "none";
              m.headers = [];
              m.idempotencyHeader = false;
            }
            setIdFromPlatform();
            rerender();
            root.querySelector("[data-key='destination.url']")?.focus();
          },
        },
        p.platform
      )
    )
  );

  const platform = bind(h("input", { type: "text", autocomplete: "off", placeholder: "e.g. Heap Analytics, Mixpanel, Google Analytics", value: m.platform }), "platform", { after: setIdFromPlatform });
  const fPlatform = field("Destination Platform Name", platform, {
    hint: current ? current.hint : "The third-party platform the events go to. Pick a preset to fill in the request for you.",
  });
  reg("destination.platform", platform, fPlatform.msg);

  const method = bind(select(METHODS.map((x) => ({ value: x, label: x })), m.method), "method");
  const fMethod = field("Request Type", method, { className: "narrow" });
  reg("destination.method", method, fMethod.msg);

  const url = bind(h("input", { type: "url", autocomplete: "off", spellcheck: "false", placeholder: "https://api.example.com/events", value: m.url, dataset: { key: "destination.url" } }), "url");
  const fUrl = field("Destination URL", url, { hint: "https:// (plain http only for localhost). {{property}} placeholders may be used in the path and query." });
  reg("destination.url", url, fUrl.msg);

  const mode = bind(select(MODES, m.mode), "mode", { rerenderOnChange: true });
  const fMode = field("Mode", mode, { hint: "How the browser sends the request. A destination that does not allow CORS needs simple or no-cors." });
  reg("destination.mode", mode, fMode.msg);

  // Authentication.
  const authType = bind(select(AUTH_TYPES, m.authType), "authType", { rerenderOnChange: true });
  const fAuth = field("Authentication Type", authType, { hint: "See the API documentation of the destination for what it needs." });
  reg("destination.auth", authType, fAuth.msg);
  const authFields = [];
  const secretField = (label, prop, key) => {
    const input = bind(h("input", { type: "password", autocomplete: "new-password", spellcheck: "false", value: m[prop], dataset: { key } }), prop);
    const f = field(label, input);
    reg(key, input, f.msg, "input");
    return f.wrap;
  };
  const textField = (label, prop, key, opts = {}) => {
    const input = bind(h("input", { type: opts.type || "text", autocomplete: "off", spellcheck: "false", value: m[prop], placeholder: opts.placeholder }), prop);
    const f = field(label, input, { hint: opts.hint });
    reg(key, input, f.msg, opts.touchOn);
    return f.wrap;
  };
  if (m.authType !== "none") {
    const hostBox = bind(h("input", { type: "checkbox", checked: m.hostToken, id: uid("host") }), "hostToken", { rerenderOnChange: true });
    const what = m.authType === "bearer" ? "token" : m.authType === "basic" ? "password" : "client secret";
    if (m.authType === "basic") authFields.push(textField("Username", "username", "destination.auth.username"));
    if (m.authType === "oauth2") {
      authFields.push(textField("Token URL", "tokenUrl", "destination.auth.tokenUrl", { type: "url", placeholder: "https://auth.example.com/oauth/token" }));
      authFields.push(textField("Client ID", "clientId", "destination.auth.clientId"));
    }
    if (!m.hostToken) {
      if (m.authType === "bearer") authFields.push(secretField("Token", "token", "destination.auth.token"));
      if (m.authType === "basic") authFields.push(secretField("Password", "password", "destination.auth.password"));
      if (m.authType === "oauth2") authFields.push(secretField("Client secret", "clientSecret", "destination.auth.clientSecret"));
    }
    if (m.authType === "oauth2") authFields.push(textField("Scope (optional)", "scope", "destination.auth.scope"));
    authFields.push(
      h(
        "div",
        { class: "field wide check" },
        h("label", { class: "checkline", for: hostBox.id }, hostBox, ` Supply the ${what} from the host page (hooks.setTokenProvider), so no secret is published`),
        m.hostToken &&
          h(
            "pre",
            { class: "code small" },
            `// in your app, after start():\nhooks.setTokenProvider("${m.id || "destination-id"}", async () => {\n  const r = await fetch("/api/walkme/token"); // your backend\n  return (await r.json()).token;\n});`
          )
      )
    );
  }

  // Headers ("+ ADD PROPERTY" as in the guide).
  const headersMsg = h("div", { class: "msg", "aria-live": "polite" });
  const headersAdd = h("button", { type: "button", class: "btn add", onclick: () => (m.headers.push({ name: "", value: "" }), rerender(), root.querySelector(`[data-key='destination.headers[${m.headers.length - 1}].name']`)?.focus()) }, "+ ADD PROPERTY");
  const headerRows = m.headers.map((hd, i) => {
    const msg = h("div", { class: "msg", "aria-live": "polite" });
    const name = h("input", { type: "text", autocomplete: "off", spellcheck: "false", "aria-label": `Header ${i + 1} name`, placeholder: "Name", value: hd.name, dataset: { key: `destination.headers[${i}].name` } });
    const value = h("input", { type: "text", autocomplete: "off", spellcheck: "false", "aria-label": `Header ${i + 1} value`, placeholder: "Value", value: hd.value });
    name.addEventListener("input", () => ((hd.name = name.value), ctx.changed()));
    value.addEventListener("input", () => ((hd.value = value.value), ctx.changed()));
    reg(`destination.headers[${i}].name`, name, msg, "input");
    reg(`destination.headers[${i}].value`, value, msg, "input");
    const del = h("button", { type: "button", class: "icon-btn", "aria-label": `Remove header ${i + 1}`, onclick: () => (m.headers.splice(i, 1), rerender(), headersAdd.focus()) }, "×");
    return h("div", { class: "kv-row" }, name, value, del, msg);
  });
  const headersBlock = h(
    "div",
    { class: "field wide", role: "group", "aria-label": "Headers" },
    h("span", { class: "label" }, "Headers"),
    h("div", { class: "hint" }, "Values the destination needs with every call (API keys, versions). Not sent in simple and no-cors mode."),
    headerRows.length ? h("div", { class: "kv" }, headerRows) : null,
    headersMsg,
    headersAdd
  );
  reg("destination.headers", headersAdd, headersMsg);

  // Body template.
  const body = bind(h("textarea", { rows: 6, spellcheck: "false", class: "mono", placeholder: "(empty: the flat JSON object of the webhook's properties)" }), "bodyText");
  body.value = m.bodyText;
  const fBody = field("Body template (JSON, optional)", body, {
    wide: true,
    hint: 'A string that is exactly "{{name}}" takes the property with its type; {{name}} inside text is replaced by its text; "{{properties}}" is the whole default body.',
  });
  reg("destination.body", body, fBody.msg);

  // More options.
  const id = h("input", { type: "text", autocomplete: "off", spellcheck: "false", value: m.id });
  id.addEventListener("input", () => {
    m.id = id.value.trim();
    m.idEdited = true;
    ctx.changed();
  });
  const fId = field("Destination ID", id, { hint: "Used in the settings and by hooks.setTokenProvider." });
  reg("destination.id", id, fId.msg, "input");
  const timeout = bind(h("input", { type: "text", inputmode: "numeric", placeholder: "10000", value: m.timeoutMs }), "timeoutMs");
  const fTimeout = field("Timeout (ms)", timeout);
  reg("destination.timeoutMs", timeout, fTimeout.msg);
  const attempts = bind(h("input", { type: "text", inputmode: "numeric", placeholder: "8", value: m.maxAttempts }), "maxAttempts");
  const fAttempts = field("Max attempts", attempts);
  reg("destination.maxAttempts", attempts, fAttempts.msg);
  const idem = bind(h("input", { type: "checkbox", checked: m.idempotencyHeader, id: uid("idem") }), "idempotencyHeader");
  const idemMsg = h("div", { class: "msg", "aria-live": "polite" });
  reg("destination.idempotencyHeader", idem, idemMsg);
  const more = h(
    "details",
    { class: "more" },
    h("summary", null, "More options"),
    h(
      "div",
      { class: "grid2" },
      fId.wrap,
      fTimeout.wrap,
      fAttempts.wrap,
      h("div", { class: "field check" }, h("label", { class: "checkline", for: idem.id }, idem, " Send an Idempotency-Key header (event.id:webhook.id)"), idemMsg)
    )
  );
  if (problems.touched.has("destination.id") || m.timeoutMs || m.maxAttempts) more.open = true;

  mount(
    root,
    ctx.usedBy && ctx.usedBy.length
      ? h("p", { class: "note" }, `Shared by ${ctx.usedBy.length} other webhook${ctx.usedBy.length > 1 ? "s" : ""} (${ctx.usedBy.join(", ")}): changes apply to all of them.`)
      : null,
    h("div", { class: "field wide" }, h("span", { class: "label", id: uid("pl") }, "Start from a preset"), chips),
    h("div", { class: "grid2" }, fPlatform.wrap, fMode.wrap),
    h("div", { class: "row-url" }, fMethod.wrap, fUrl.wrap),
    h("div", { class: "grid2" }, fAuth.wrap, ...authFields),
    headersBlock,
    fBody.wrap,
    more
  );
}

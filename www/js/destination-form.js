// The destination form (step 7 of the guide): platform name with presets,
// request type, URL (or the local receiver of the demo), mode,
// authentication, headers, body template. Used by the webhook wizard and by
// the Destinations page.

import { h, mount, field, select, uid } from "./dom.js";
import { t, known } from "./i18n.js";
import { presets } from "./module.js";
import { authOptions, modeOptions, METHODS, slug, uniqueId } from "./model.js";
import { localReceiverUrl, localTokenUrl, LOCAL_CLIENT_ID } from "./default-settings.js";

/** The preset a destination was probably made from (by platform name). */
export function presetOf(platform, origin) {
  const p = String(platform || "").toLowerCase();
  return presets(origin).find((x) => x.platform.toLowerCase() === p) || null;
}

const presetHint = (p) => (known("preset." + p.key) ? t("preset." + p.key) : p.hint);

/**
 * Renders the form for destination model `m` into `root`.
 * ctx: { problems, changed(), origin, takenIds: Set (other destinations' ids), usedBy: [names] }
 */
export function renderDestinationForm(root, m, ctx) {
  const { problems, origin } = ctx;
  problems.reset("destination.");
  const rerender = (focusSel) => {
    renderDestinationForm(root, m, ctx);
    ctx.changed();
    if (focusSel) root.querySelector(focusSel)?.focus();
  };
  const reg = (key, input, msg, touchOn) => problems.reg(key, input, msg, touchOn);
  const bind = (input, prop, { rerenderOnChange = false, after } = {}) => {
    const ev = input.type === "checkbox" ? "change" : input.localName === "select" ? "change" : "input";
    input.addEventListener(ev, () => {
      m[prop] = input.type === "checkbox" ? input.checked : input.value;
      if (after) after();
      if (rerenderOnChange) rerender(`[data-key='${input.dataset.key}']`);
      else ctx.changed();
    });
    return input;
  };
  const setIdFromPlatform = () => {
    if (!m.idEdited) m.id = uniqueId(slug(m.platform), ctx.takenIds);
  };

  // The local receiver of the dev server (and its token endpoint): the demo's
  // test destination, where every request shows on the Receiver page.
  const receiverBase = localReceiverUrl(origin, "");
  const tokenUrl = localTokenUrl(origin);
  const isLocal = () => m.url.trim().startsWith(receiverBase);
  const useLocalToken = () => {
    if (m.tokenUrl && m.tokenUrl !== tokenUrl) m.tokenUrlBefore = m.tokenUrl;
    m.tokenUrl = tokenUrl;
    if (!m.clientId) m.clientId = LOCAL_CLIENT_ID;
  };

  // Presets.
  const all = presets(origin);
  const current = presetOf(m.platform, origin);
  const chips = h(
    "div",
    { class: "chips", role: "group", "aria-label": t("dest.presets") },
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
            rerender("[data-key='destination.url']");
          },
        },
        p.platform
      )
    )
  );

  const platform = bind(h("input", { type: "text", autocomplete: "off", placeholder: t("dest.platformPlaceholder"), value: m.platform }), "platform", { after: setIdFromPlatform });
  const fPlatform = field(t("dest.platform"), platform, { hint: current ? presetHint(current) : t("dest.platformHint") });
  reg("destination.platform", platform, fPlatform.msg);

  const method = bind(select(METHODS.map((x) => ({ value: x, label: x })), m.method), "method");
  const fMethod = field(t("dest.method"), method, { className: "narrow" });
  reg("destination.method", method, fMethod.msg);

  const url = bind(h("input", { type: "url", autocomplete: "off", spellcheck: "false", placeholder: "https://api.example.com/events", value: m.url, dataset: { key: "destination.url" } }), "url", {
    after: () => (local.checked = isLocal()),
  });
  const fUrl = field(t("dest.url"), url, { hint: t("dest.urlHint") });
  reg("destination.url", url, fUrl.msg);

  const local = h("input", { type: "checkbox", id: uid("local"), checked: isLocal(), dataset: { key: "destination.local" } });
  local.addEventListener("change", () => {
    if (local.checked) {
      if (!isLocal()) m.urlBefore = m.url;
      m.url = localReceiverUrl(origin, slug(m.id || m.platform || "demo"));
      if (m.authType === "oauth2") useLocalToken();
    } else {
      m.url = m.urlBefore || "";
      if (m.tokenUrl === tokenUrl) m.tokenUrl = m.tokenUrlBefore || "";
    }
    rerender("[data-key='destination.local']");
  });
  const localHint = uid("hint");
  local.setAttribute("aria-describedby", localHint);
  const localBox = h(
    "div",
    { class: "field wide check local-receiver" },
    h("label", { class: "checkline", for: local.id }, local, " ", t("dest.local")),
    h(
      "div",
      { class: "hint", id: localHint },
      t("dest.localHint", { url: receiverBase + "…" }),
      " ",
      h("a", { href: "receiver.html", target: "_blank", rel: "noopener" }, t("dest.localOpen"))
    )
  );

  const mode = bind(select(modeOptions(), m.mode, { dataset: { key: "destination.mode" } }), "mode", { rerenderOnChange: true });
  const fMode = field(t("dest.mode"), mode, { hint: t("dest.modeHint") });
  reg("destination.mode", mode, fMode.msg);

  // Authentication.
  const authType = bind(select(authOptions(), m.authType, { dataset: { key: "destination.auth" } }), "authType", {
    rerenderOnChange: true,
    after: () => {
      if (m.authType === "oauth2" && isLocal() && !m.tokenUrl) useLocalToken();
    },
  });
  const fAuth = field(t("dest.auth"), authType, { hint: t("dest.authHint") });
  reg("destination.auth", authType, fAuth.msg);
  const authFields = [];
  const secretField = (label, prop, key) => {
    const input = bind(h("input", { type: "password", autocomplete: "new-password", spellcheck: "false", value: m[prop], dataset: { key } }), prop);
    const f = field(label, input);
    reg(key, input, f.msg, "input");
    return f.wrap;
  };
  const textField = (label, prop, key, opts = {}) => {
    const input = bind(h("input", { type: opts.type || "text", autocomplete: "off", spellcheck: "false", value: m[prop], placeholder: opts.placeholder, dataset: { key } }), prop);
    const f = field(label, input, { hint: opts.hint });
    reg(key, input, f.msg, opts.touchOn);
    return f.wrap;
  };
  if (m.authType !== "none") {
    const hostBox = bind(h("input", { type: "checkbox", checked: m.hostToken, id: uid("host"), dataset: { key: "destination.hostToken" } }), "hostToken", { rerenderOnChange: true });
    const what = t("dest.secret." + m.authType);
    if (m.authType === "basic") authFields.push(textField(t("dest.username"), "username", "destination.auth.username"));
    if (m.authType === "oauth2") {
      authFields.push(
        textField(t("dest.tokenUrl"), "tokenUrl", "destination.auth.tokenUrl", {
          type: "url",
          placeholder: "https://auth.example.com/oauth/token",
          hint: m.tokenUrl === tokenUrl ? t("dest.localTokenHint") : null,
        })
      );
      authFields.push(textField(t("dest.clientId"), "clientId", "destination.auth.clientId"));
    }
    if (!m.hostToken) {
      if (m.authType === "bearer") authFields.push(secretField(t("dest.token"), "token", "destination.auth.token"));
      if (m.authType === "basic") authFields.push(secretField(t("dest.password"), "password", "destination.auth.password"));
      if (m.authType === "oauth2") authFields.push(secretField(t("dest.clientSecret"), "clientSecret", "destination.auth.clientSecret"));
    }
    if (m.authType === "oauth2") authFields.push(textField(t("dest.scope"), "scope", "destination.auth.scope"));
    authFields.push(
      h(
        "div",
        { class: "field wide check" },
        h("label", { class: "checkline", for: hostBox.id }, hostBox, " ", t("dest.hostToken", { what })),
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
  const headersAdd = h("button", { type: "button", class: "btn add", onclick: () => (m.headers.push({ name: "", value: "" }), rerender(`[data-key='destination.headers[${m.headers.length - 1}].name']`)) }, t("dest.addHeader"));
  const headerRows = m.headers.map((hd, i) => {
    const msg = h("div", { class: "msg", "aria-live": "polite" });
    const name = h("input", { type: "text", autocomplete: "off", spellcheck: "false", "aria-label": t("dest.headerName", { n: i + 1 }), placeholder: t("dest.headerNamePlaceholder"), value: hd.name, dataset: { key: `destination.headers[${i}].name` } });
    const value = h("input", { type: "text", autocomplete: "off", spellcheck: "false", "aria-label": t("dest.headerValue", { n: i + 1 }), placeholder: t("dest.headerValuePlaceholder"), value: hd.value });
    name.addEventListener("input", () => ((hd.name = name.value), ctx.changed()));
    value.addEventListener("input", () => ((hd.value = value.value), ctx.changed()));
    reg(`destination.headers[${i}].name`, name, msg, "input");
    reg(`destination.headers[${i}].value`, value, msg, "input");
    const del = h("button", { type: "button", class: "icon-btn", "aria-label": t("dest.removeHeader", { n: i + 1 }), onclick: () => (m.headers.splice(i, 1), rerender(), headersAdd.focus()) }, "×");
    return h("div", { class: "kv-row" }, name, value, del, msg);
  });
  const headersBlock = h(
    "div",
    { class: "field wide", role: "group", "aria-label": t("dest.headers") },
    h("span", { class: "label" }, t("dest.headers")),
    h("div", { class: "hint" }, t("dest.headersHint")),
    headerRows.length ? h("div", { class: "kv" }, headerRows) : null,
    headersMsg,
    headersAdd
  );
  reg("destination.headers", headersAdd, headersMsg);

  // Body template.
  const body = bind(h("textarea", { rows: 6, spellcheck: "false", class: "mono", placeholder: t("dest.bodyPlaceholder") }), "bodyText");
  body.value = m.bodyText;
  const fBody = field(t("dest.body"), body, { wide: true, hint: t("dest.bodyHint") });
  reg("destination.body", body, fBody.msg);

  // More options.
  const id = h("input", { type: "text", autocomplete: "off", spellcheck: "false", value: m.id });
  id.addEventListener("input", () => {
    m.id = id.value.trim();
    m.idEdited = true;
    ctx.changed();
  });
  const fId = field(t("dest.id"), id, { hint: t("dest.idHint") });
  reg("destination.id", id, fId.msg, "input");
  const timeout = bind(h("input", { type: "text", inputmode: "numeric", placeholder: "10000", value: m.timeoutMs }), "timeoutMs");
  const fTimeout = field(t("dest.timeout"), timeout);
  reg("destination.timeoutMs", timeout, fTimeout.msg);
  const attempts = bind(h("input", { type: "text", inputmode: "numeric", placeholder: "8", value: m.maxAttempts }), "maxAttempts");
  const fAttempts = field(t("dest.maxAttempts"), attempts);
  reg("destination.maxAttempts", attempts, fAttempts.msg);
  const idem = bind(h("input", { type: "checkbox", checked: m.idempotencyHeader, id: uid("idem") }), "idempotencyHeader");
  const idemMsg = h("div", { class: "msg", "aria-live": "polite" });
  reg("destination.idempotencyHeader", idem, idemMsg);
  const more = h(
    "details",
    { class: "more" },
    h("summary", null, t("dest.more")),
    h("div", { class: "grid2" }, fId.wrap, fTimeout.wrap, fAttempts.wrap, h("div", { class: "field check" }, h("label", { class: "checkline", for: idem.id }, idem, " ", t("dest.idempotency")), idemMsg))
  );
  if (problems.touched.has("destination.id") || m.timeoutMs || m.maxAttempts) more.open = true;

  mount(
    root,
    ctx.usedBy && ctx.usedBy.length ? h("p", { class: "note" }, t("dest.sharedBy", { n: ctx.usedBy.length, names: ctx.usedBy.join(", ") })) : null,
    h("div", { class: "field wide" }, h("span", { class: "label" }, t("dest.presetsLabel")), chips),
    h("div", { class: "grid2" }, fPlatform.wrap, fMode.wrap),
    h("div", { class: "row-url" }, fMethod.wrap, fUrl.wrap),
    localBox,
    h("div", { class: "grid2" }, fAuth.wrap, ...authFields),
    headersBlock,
    fBody.wrap,
    more
  );
}

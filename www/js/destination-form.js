// The destination form (step 7 of the guide), used by the webhook wizard and
// by the Destinations page.
//
// Presets are data: the editor module's presets() (presets/presets.json).
// Choosing one shows the fields it needs (label, help, placeholder; secrets
// marked; required ones checked; a link to the service's documentation) and
// builds the destination from its template with what is filled in. Presets
// that cannot work from a browser are listed, say why, and cannot be chosen.
// "Custom" is any HTTP endpoint (with the demo's local receiver one click
// away).
//
// Mode and format are chosen for the person: by the preset, else by the
// module's table of known hosts (its host_limit warnings name the fix, one
// click applies it), else by a probe of the address; they can still be set
// by hand under "More options".

import { h, mount, field, select, uid, codeBlock } from "./dom.js";
import { t, lang } from "./i18n.js";
import { presets, probeCors } from "./module.js";
import { authOptions, modeOptions, formatOptions, effectiveFormat, METHODS, slug, uniqueId, modelDestination } from "./model.js";
import { localReceiverUrl, localTokenUrl, LOCAL_CLIENT_ID } from "./default-settings.js";
import { build, presetOf, fieldPlaces } from "./preset-fields.js";
import { fixesOf, formatFor, probeAdvice, hostOf } from "./cors-advice.js";

/** Text that comes from the module's data (English): marked as such when the editor speaks German. */
const en = (props = {}) => (lang() === "en" ? props : { ...props, lang: "en" });

// A value to start a preset field with: the placeholder when it is a real
// default (an API host, an event name), never a stand-in ("XXXX", "0123…").
function defaultValue(f) {
  if (f.secret || !f.pattern || !f.placeholder) return "";
  if (/X{4}|0123|1234|…|abcdef/i.test(f.placeholder)) return "";
  try {
    return new RegExp(f.pattern).test(f.placeholder) ? f.placeholder : "";
  } catch (_) {
    return "";
  }
}

/** Sets the request of model `m` from its preset and the values filled in. */
export function applyPreset(m, p) {
  const b = build(p, m.preset.values);
  m.method = b.method || "POST";
  m.url = b.url || "";
  m.mode = b.mode || "cors";
  m.format = b.format || "";
  m.authType = (b.auth && b.auth.type) || "none";
  m.headers = [];
  m.bodyText = b.body === undefined ? "" : JSON.stringify(b.body, null, 2);
  const extras = { ...(m.extras || {}) };
  delete extras.batch;
  delete extras.rate;
  if (b.batch) extras.batch = b.batch;
  if (b.rate) extras.rate = b.rate;
  m.extras = extras;
}

/** The client-side problems of a preset's fields: required ones missing, values not shaped as expected. */
export function presetProblems(m) {
  const out = [];
  if (!m.preset) return out;
  const p = presets().find((x) => x.id === m.preset.id);
  if (!p) return out;
  for (const f of p.fields) {
    const v = String(m.preset.values[f.key] ?? "").trim();
    const key = "destination.preset." + f.key;
    if (!v) {
      if (f.required) out.push({ key, message: t("preset.required", { label: f.label }), kind: "error" });
      continue;
    }
    let ok = true;
    try {
      ok = !f.pattern || new RegExp(f.pattern).test(v);
    } catch (_) {}
    if (!ok) out.push({ key, message: t("preset.shape", { label: f.label, example: f.placeholder || "" }), kind: "warn" });
  }
  return out;
}

/** Recognizes the preset a destination model was made from (once, when the form first shows it). */
function recognize(m) {
  if (m.presetChecked) return;
  m.presetChecked = true;
  if (m.preset || !m.url) return;
  const found = presetOf(modelDestination(m).destination, presets());
  if (found) m.preset = { id: found.preset.id, values: found.values };
}

/**
 * Renders the form for destination model `m` into `root`.
 * ctx: { problems, changed(), origin, takenIds: Set (other destinations' ids), usedBy: [names] }
 */
export function renderDestinationForm(root, m, ctx) {
  const { problems, origin } = ctx;
  problems.reset("destination.");
  recognize(m);
  const rerender = (focusSel) => {
    renderDestinationForm(root, m, ctx);
    ctx.changed();
    if (focusSel) root.querySelector(focusSel)?.focus();
  };
  const reg = (key, input, msg, touchOn) => problems.reg(key, input, msg, touchOn);
  const bind = (input, prop, { rerenderOnChange = false, after } = {}) => {
    const ev = input.type === "checkbox" || input.type === "radio" ? "change" : input.localName === "select" ? "change" : "input";
    input.addEventListener(ev, () => {
      m[prop] = input.type === "checkbox" ? input.checked : input.value;
      if (after) after();
      if (rerenderOnChange) rerender(`[data-key='${input.dataset.key}']`);
      else ctx.changed();
    });
    return input;
  };
  const setId = (base) => {
    if (!m.idEdited) m.id = uniqueId(base || slug(m.platform), ctx.takenIds);
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

  // ---- presets ------------------------------------------------------------------

  const all = presets();
  const active = m.preset ? all.find((p) => p.id === m.preset.id) || null : null;
  if (m.preset && !active) m.preset = null;
  const choose = (p) => {
    const before = m.preset ? m.preset.values : {};
    const values = {};
    for (const f of p.fields) values[f.key] = before[f.key] ?? defaultValue(f);
    // A URL typed by hand goes into the field that is the whole URL (a webhook URL).
    const whole = /^\{\{field:([A-Za-z0-9_]+)\}\}$/.exec((p.destination && p.destination.url) || "");
    if (whole && !values[whole[1]] && !m.preset && m.url.trim() && !isLocal()) values[whole[1]] = m.url.trim();
    m.preset = { id: p.id, values };
    m.unavailable = null;
    m.probe = null;
    m.platform = (p.destination && p.destination.platform) || p.name;
    applyPreset(m, p);
    setId(p.destination && p.destination.id);
    const first = p.fields.find((f) => f.required) || p.fields[0];
    rerender(first ? `[data-key='destination.preset.${first.key}']` : null);
  };
  const custom = () => {
    m.preset = null;
    m.unavailable = null;
    m.probe = null;
    m.platform = "Custom";
    m.method = "POST";
    m.url = localReceiverUrl(origin, "custom");
    m.mode = "cors";
    m.format = "";
    m.bodyText = "";
    if (m.extras) {
      m.extras = { ...m.extras };
      delete m.extras.batch;
      delete m.extras.rate;
    }
    setId(slug("custom"));
    rerender("[data-key='destination.url']");
  };
  const unavailableHint = uid("hint");
  const chips = h(
    "div",
    { class: "chips presets", role: "group", "aria-label": t("dest.presets") },
    all.map((p) => {
      const on = !!(active && active.id === p.id);
      if (!p.browser.works) {
        return h(
          "button",
          {
            type: "button",
            class: "chip unavailable" + (m.unavailable === p.id ? " shown" : ""),
            "aria-disabled": "true",
            "aria-describedby": unavailableHint,
            dataset: { preset: p.id },
            onclick: () => {
              m.unavailable = p.id;
              rerender(`[data-preset='${p.id}']`);
            },
          },
          p.name
        );
      }
      return h("button", { type: "button", class: "chip" + (on ? " on" : ""), "aria-pressed": String(on), dataset: { preset: p.id }, onclick: () => choose(p) }, p.name);
    }),
    h("button", { type: "button", class: "chip" + (!active ? " on" : ""), "aria-pressed": String(!active), dataset: { preset: "custom" }, onclick: custom }, t("dest.custom"))
  );
  const presetsBox = h(
    "div",
    { class: "field wide" },
    h("span", { class: "label" }, t("dest.presetsLabel")),
    chips,
    h("div", { class: "hint", id: unavailableHint }, t("dest.unavailableHint"))
  );

  // A preset that cannot work from a browser: why, and where to read more.
  let unavailableBox = null;
  const shown = m.unavailable && all.find((p) => p.id === m.unavailable);
  if (shown) {
    unavailableBox = h(
      "div",
      { class: "callout warn preset-unavailable", role: "status", dataset: { preset: shown.id } },
      h("strong", null, t("dest.notFromBrowser", { name: shown.name })),
      " ",
      h("span", en(), shown.browser.why),
      " ",
      h("a", { href: shown.docs, target: "_blank", rel: "noopener" }, t("dest.docs", { name: shown.name }))
    );
  }

  // The fields of the chosen preset.
  let presetBox = null;
  if (active) {
    const places = fieldPlaces(active);
    const claimed = new Set();
    const rows = active.fields.map((f) => {
      const key = "destination.preset." + f.key;
      const input = h("input", {
        type: "text",
        autocomplete: "off",
        spellcheck: "false",
        class: f.secret ? "mono secret" : "mono",
        placeholder: f.placeholder || null,
        required: f.required,
        "aria-required": f.required ? "true" : null,
        value: m.preset.values[f.key] ?? "",
        dataset: { key },
      });
      input.addEventListener("input", () => {
        m.preset.values[f.key] = input.value.trim();
        applyPreset(m, active);
        ctx.changed();
      });
      const badges = [];
      if (f.required) badges.push(h("span", { class: "chip-sm badge-required" }, t("preset.requiredBadge")));
      if (f.secret) badges.push(h("span", { class: "chip-sm badge-secret" }, t(f.publishable ? "preset.secretBadge" : "preset.publishedSecretBadge")));
      else if (f.publishable) badges.push(h("span", { class: "chip-sm badge-public" }, t("preset.publicBadge")));
      const fl = field([h("span", en(), f.label), ...badges.flatMap((x) => [" ", x])], input, { hint: f.help ? h("span", en(), f.help) : null, wide: true });
      reg(key, input, fl.msg, "input");
      // Problems the module finds in what a field made (the URL it is, a
      // published key) show at that field.
      const place = places[f.key];
      const placeKey = place && "destination." + place;
      if (placeKey && !claimed.has(placeKey) && (f.secret || !active.fields.some((g) => g.secret && places[g.key] === place))) {
        claimed.add(placeKey);
        reg(placeKey, input, fl.msg, "input");
      }
      return fl.wrap;
    });
    const headingId = uid("ph");
    presetBox = h(
      "section",
      { class: "preset-panel", "aria-labelledby": headingId, dataset: { preset: active.id } },
      h(
        "div",
        { class: "preset-head" },
        h("h3", { id: headingId }, active.name),
        h("a", { href: active.docs, target: "_blank", rel: "noopener", class: "small" }, t("dest.docs", { name: active.name }))
      ),
      h("p", { class: "hint preset-why" }, h("strong", null, t("dest.howSent")), " ", h("span", en(), active.browser.why)),
      active.fields.length ? h("div", { class: "grid2" }, rows) : h("p", { class: "muted" }, t("preset.noFields")),
      h(
        "button",
        {
          type: "button",
          class: "btn link by-hand",
          onclick: () => {
            m.preset = null;
            rerender("[data-key='destination.url']");
          },
        },
        t("dest.byHand")
      )
    );
  }

  // ---- the request (Custom) ---------------------------------------------------------

  const platform = bind(h("input", { type: "text", autocomplete: "off", placeholder: t("dest.platformPlaceholder"), value: m.platform, dataset: { key: "destination.platform" } }), "platform", { after: () => setId() });
  const fPlatform = field(t("dest.platform"), platform, { hint: active ? null : t("dest.platformHint") });
  reg("destination.platform", platform, fPlatform.msg);

  let requestBox = null;
  let localBox = null;
  if (!active) {
    const method = bind(select(METHODS.map((x) => ({ value: x, label: x })), m.method), "method");
    const fMethod = field(t("dest.method"), method, { className: "narrow" });
    reg("destination.method", method, fMethod.msg);
    const url = bind(h("input", { type: "url", autocomplete: "off", spellcheck: "false", placeholder: "https://api.example.com/events", value: m.url, dataset: { key: "destination.url" } }), "url", {
      after: () => {
        local.checked = isLocal();
        m.probe = null;
      },
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
      m.probe = null;
      rerender("[data-key='destination.local']");
    });
    const localHint = uid("hint");
    local.setAttribute("aria-describedby", localHint);
    localBox = h(
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
    requestBox = [h("div", { class: "grid2" }, fPlatform.wrap), h("div", { class: "row-url" }, fMethod.wrap, fUrl.wrap)];
  }

  // ---- how it is sent: mode and format, chosen for the person -------------------------

  const advice = h("div", { class: "mode-advice", "aria-live": "polite" });
  const setMode = (mode, format, focusSel) => {
    m.mode = mode;
    if (format !== undefined) m.format = format;
    else m.format = formatFor(mode, m.format);
    if (mode !== "cors") {
      // What simple and no-cors requests cannot carry.
      m.headers = [];
      m.idempotencyHeader = false;
    }
    rerender(focusSel || ".mode-advice button, .mode-advice");
  };
  const probeBtn =
    !active &&
    h(
      "button",
      {
        type: "button",
        class: "btn small probe",
        onclick: async () => {
          const target = m.url.trim();
          if (!target) return;
          probeBtn.disabled = true;
          probeBtn.textContent = t("probe.checking", { host: hostOf(target) });
          const r = await probeCors(target.replace(/\{\{[^}]*\}\}/g, "x"));
          const a = probeAdvice(r);
          m.probe = { url: target, kind: a.kind };
          if (a.mode) {
            m.mode = a.mode;
            m.format = a.kind === "cors" ? "" : m.format && m.format !== "json" ? m.format : a.format;
          }
          rerender(".mode-advice");
        },
      },
      t("probe.button")
    );
  // Shown again only when what it says changes: a click that blurs a field
  // (and so checks the form) must still land on the same button.
  let shownAdvice = null;
  const renderAdvice = (list) => {
    const items = [];
    const limits = list.filter((p) => p.code === "host_limit" && (p.key === "destination.mode" || p.key === "destination.format"));
    const signature = JSON.stringify([m.mode, m.format, m.url.trim() !== "", m.probe, limits.map((p) => [p.key, p.message])]);
    if (signature === shownAdvice) return;
    shownAdvice = signature;
    for (const p of limits) {
      const f = fixesOf(p.message);
      const buttons = [];
      if (p.key === "destination.mode" && f.modes[0]) {
        const mode = f.modes[0];
        buttons.push(h("button", { type: "button", class: "btn small primary fix", dataset: { fix: "mode:" + mode }, onclick: () => setMode(mode) }, t("fix.mode", { mode })));
      }
      if (p.key === "destination.format" && f.formats[0]) {
        const format = f.formats[0];
        buttons.push(h("button", { type: "button", class: "btn small primary fix", dataset: { fix: "format:" + format }, onclick: () => ((m.format = format), rerender(".mode-advice")) }, t("fix.format", { format })));
      }
      const preset = f.preset && all.find((x) => x.id === f.preset && x.browser.works);
      if (preset && (!active || active.id !== preset.id)) {
        buttons.push(h("button", { type: "button", class: "btn small fix", dataset: { fix: "preset:" + preset.id }, onclick: () => choose(preset) }, t("fix.preset", { name: preset.name })));
      }
      items.push(h("div", { class: "callout warn host-limit" }, h("p", null, h("span", en(), p.message)), buttons.length ? h("div", { class: "actions" }, buttons) : null));
    }
    if (m.probe && m.probe.url === m.url.trim()) {
      const host = hostOf(m.probe.url);
      items.push(h("p", { class: "note probe-result", dataset: { probe: m.probe.kind } }, t("probe." + m.probe.kind, { host, mode: m.mode, format: effectiveFormat(m.mode, m.format) })));
    }
    const source = active ? t("dest.sentAsPreset", { name: active.name }) : t("dest.sentAsHand");
    mount(
      advice,
      h("p", { class: "sent-as" }, t("dest.sentAs", { mode: m.mode, format: effectiveFormat(m.mode, m.format) }), " ", h("span", { class: "muted" }, source)),
      items,
      probeBtn && m.url.trim() && !limits.length ? h("div", { class: "actions" }, probeBtn, h("span", { class: "hint" }, t("probe.hint"))) : null
    );
  };
  renderAdvice([]);
  problems.hooks.set("destination.advice", renderAdvice);

  // ---- authentication -------------------------------------------------------------

  let authBox = null;
  if (!active || (m.authType && m.authType !== "none")) {
    const authType = bind(select(authOptions(), m.authType, { dataset: { key: "destination.auth" } }), "authType", {
      rerenderOnChange: true,
      after: () => {
        if (m.authType === "oauth2" && isLocal() && !m.tokenUrl) useLocalToken();
      },
    });
    const fAuth = field(t("dest.auth"), authType, { hint: t("dest.authHint") });
    reg("destination.auth", authType, fAuth.msg);
    const authFields = [];
    const secretField = (label, prop, key, hint) => {
      const input = bind(h("input", { type: "password", autocomplete: "new-password", spellcheck: "false", value: m[prop], dataset: { key } }), prop);
      const f = field(label, input, { hint });
      reg(key, input, f.msg, "input");
      return f.wrap;
    };
    const textField = (label, prop, key, opts = {}) => {
      const input = bind(h("input", { type: opts.type || "text", autocomplete: "off", spellcheck: "false", value: m[prop], placeholder: opts.placeholder, dataset: { key } }), prop);
      const f = field(label, input, { hint: opts.hint, wide: opts.wide });
      reg(key, input, f.msg, opts.touchOn);
      return f.wrap;
    };
    if (m.authType === "bearer") {
      authFields.push(tokenSourceBox());
    } else if (m.authType !== "none") {
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
        if (m.authType === "basic") authFields.push(secretField(t("dest.password"), "password", "destination.auth.password", t("dest.publishedHint")));
        if (m.authType === "oauth2") authFields.push(secretField(t("dest.clientSecret"), "clientSecret", "destination.auth.clientSecret", t("dest.publishedHint")));
      }
      if (m.authType === "oauth2") authFields.push(textField(t("dest.scope"), "scope", "destination.auth.scope"));
      authFields.push(
        h(
          "div",
          { class: "field wide check" },
          h("label", { class: "checkline", for: hostBox.id }, hostBox, " ", t("dest.hostToken", { what })),
          m.hostToken && codeBlock(providerCode(), t("token.appText"), { class: "code small" })
        )
      );
    }
    authBox = h("div", { class: "grid2" }, fAuth.wrap, ...authFields);

    // Bearer: the token from the customer's own site (nothing published), pasted (published), or from the app's code.
    function tokenSourceBox() {
      const name = uid("src");
      const legendId = uid("lg");
      const radio = (value) => {
        const r = h("input", { type: "radio", name, value, id: uid("r"), checked: m.tokenSource === value, dataset: { key: "destination.tokenSource." + value } });
        r.addEventListener("change", () => {
          if (!r.checked) return;
          m.tokenSource = value;
          rerender(`[data-key='destination.tokenSource.${value}']`);
        });
        return h("label", { class: "checkline", for: r.id }, r, h("span", null, h("strong", null, t("token.source." + value)), " ", h("span", { class: "muted" }, t("token.source." + value + "Hint"))));
      };
      let detail = null;
      if (m.tokenSource === "site") {
        const input = bind(h("input", { type: "text", autocomplete: "off", spellcheck: "false", class: "mono", placeholder: "/api/walkme-token", value: m.tokenFrom, dataset: { key: "destination.auth.tokenFrom" } }), "tokenFrom");
        const f = field(t("token.path"), input, { hint: t("token.pathHint") });
        reg("destination.auth.tokenFrom", input, f.msg, "input");
        detail = h(
          "div",
          { class: "token-site" },
          f.wrap,
          h(
            "div",
            { class: "callout info token-contract" },
            h("p", null, h("strong", null, t("token.contractTitle")), " ", t("token.contract", { path: m.tokenFrom || "/api/walkme-token" })),
            codeBlock(`GET ${m.tokenFrom || "/api/walkme-token"}   (Cookie: …)\n→ 200 {"token": "eyJhbGciOi…", "expiresIn": 300}\n→ or: 200 eyJhbGciOi…   (text/plain)`, t("token.contractTitle"), { class: "code small" }),
            h("ul", { class: "token-rules" }, ["visitor", "origin", "cookies", "published"].map((k) => h("li", null, t("token.rule." + k))))
          )
        );
      } else if (m.tokenSource === "paste") {
        detail = h("div", null, secretField(t("dest.token"), "token", "destination.auth.token", t("token.pasteWarning")));
      } else {
        detail = h("div", null, h("p", { class: "hint" }, t("token.appText")), codeBlock(providerCode(), t("token.appText"), { class: "code small" }));
      }
      return h(
        "fieldset",
        { class: "field wide token-source", "aria-labelledby": legendId },
        h("legend", { id: legendId }, t("token.sourceLegend")),
        h("div", { class: "radios" }, radio("site"), radio("paste"), radio("app")),
        detail
      );
    }
  }

  function providerCode() {
    return `// in your app, after start():\nhooks.setTokenProvider("${m.id || "destination-id"}", async () => {\n  const r = await fetch("/api/walkme/token"); // your backend\n  return (await r.json()).token;\n});`;
  }

  // ---- headers and body (Custom) ----------------------------------------------------

  let headersBlock = null;
  let bodyBlock = null;
  if (!active) {
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
    headersBlock = h(
      "div",
      { class: "field wide", role: "group", "aria-label": t("dest.headers") },
      h("span", { class: "label" }, t("dest.headers")),
      h("div", { class: "hint" }, t("dest.headersHint")),
      headerRows.length ? h("div", { class: "kv" }, headerRows) : null,
      headersMsg,
      headersAdd
    );
    reg("destination.headers", headersAdd, headersMsg);

    const body = bind(h("textarea", { rows: 6, spellcheck: "false", class: "mono", placeholder: t("dest.bodyPlaceholder") }), "bodyText");
    body.value = m.bodyText;
    const fBody = field(t("dest.body"), body, { wide: true, hint: t("dest.bodyHint") });
    reg("destination.body", body, fBody.msg);
    bodyBlock = fBody.wrap;
  }

  // ---- more options -----------------------------------------------------------------

  const mode = bind(select(modeOptions(), m.mode, { dataset: { key: "destination.mode" } }), "mode", {
    rerenderOnChange: true,
    after: () => (m.format = formatFor(m.mode, m.format)),
  });
  const fMode = field(t("dest.mode"), mode, { hint: t("dest.modeHint") });
  reg("destination.mode", mode, fMode.msg);
  const format = bind(select(formatOptions(), m.format, { dataset: { key: "destination.format" } }), "format", { rerenderOnChange: true });
  const fFormat = field(t("dest.format"), format, { hint: t("dest.formatHint") });
  reg("destination.format", format, fFormat.msg);

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
    h(
      "div",
      { class: "grid2" },
      active ? fPlatform.wrap : null,
      fMode.wrap,
      fFormat.wrap,
      fId.wrap,
      fTimeout.wrap,
      fAttempts.wrap,
      h("div", { class: "field check" }, h("label", { class: "checkline", for: idem.id }, idem, " ", t("dest.idempotency")), idemMsg)
    )
  );
  if (m.moreOpen || problems.touched.has("destination.id") || m.timeoutMs || m.maxAttempts) more.open = true;
  more.addEventListener("toggle", () => (m.moreOpen = more.open));

  mount(
    root,
    ctx.usedBy && ctx.usedBy.length ? h("p", { class: "note" }, t("dest.sharedBy", { n: ctx.usedBy.length, names: ctx.usedBy.join(", ") })) : null,
    presetsBox,
    unavailableBox,
    presetBox,
    requestBox,
    localBox,
    advice,
    authBox,
    headersBlock,
    bodyBlock,
    more
  );
}

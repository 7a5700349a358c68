// "Send test event": runs one sample event through the real module, with
// the webhook under test and the draft's destinations, and shows the request
// it sent and the answer it got. The module sends with fetch; a thin wrapper
// around window.fetch records what went out and what came back, for the
// time of the test only.

import { startRuntime, runtimeReady } from "./module.js";
import { h, uid, field, pretty, clock, showModal, codeBlock } from "./dom.js";
import { t, eventName, deliveryError } from "./i18n.js";
import { sampleProperties } from "./samples.js";
import { clone } from "./store.js";

/**
 * Opens the test dialog for `webhook` of settings `draft` (saved or, with
 * `unsaved`, as filled in so far); byId: the catalog by event id.
 */
export function openTestSend({ draft, webhook, byId, unsaved = false }) {
  const event = byId.get(webhook.event);
  const destination = draft.destinations.find((d) => d.id === webhook.destination);
  const titleId = uid("t");
  const props = h("textarea", { rows: 10, class: "mono", spellcheck: "false" });
  props.value = JSON.stringify(event ? sampleProperties(event, webhook.conditions || []) : {}, null, 2);
  const fProps = field(t("test.properties"), props, { wide: true, hint: t("test.propertiesHint") });
  const result = h("div", { class: "test-result", "aria-live": "polite" });
  const sendBtn = h("button", { type: "button", class: "btn primary", onclick: () => run() }, t("test.send"));
  const d = h(
    "dialog",
    { class: "modal wide test-send", "aria-labelledby": titleId },
    h(
      "div",
      { class: "modal-head" },
      h("h2", { id: titleId }, t("test.title")),
      h("button", { type: "button", class: "icon-btn", "aria-label": t("action.close"), onclick: () => d.close() }, "×")
    ),
    h(
      "div",
      { class: "modal-body" },
      h(
        "p",
        { class: "lede" },
        h("strong", null, webhook.name || webhook.id),
        ": ",
        event ? `${eventName(event)} (${event.id})` : webhook.event,
        " → ",
        destination ? `${destination.platform || destination.id} · ${destination.method || "POST"} ${destination.url}` : t("test.noDestination")
      ),
      unsaved ? h("p", { class: "note" }, t("test.unsaved")) : null,
      webhook.enabled === false ? h("p", { class: "note" }, t("test.disabled")) : null,
      fProps.wrap,
      result
    ),
    h("div", { class: "modal-foot" }, h("button", { type: "button", class: "btn ghost", onclick: () => d.close() }, t("test.close")), sendBtn)
  );
  d.addEventListener("close", () => d.remove());
  showModal(d);
  sendBtn.focus();

  async function run() {
    let properties;
    try {
      properties = JSON.parse(props.value);
      if (!properties || typeof properties !== "object" || Array.isArray(properties)) throw new Error("must be a JSON object");
      fProps.msg.className = "msg";
      fProps.msg.textContent = "";
      props.removeAttribute("aria-invalid");
    } catch (e) {
      fProps.msg.className = "msg error";
      fProps.msg.textContent = t("test.invalid", { error: e.message });
      props.setAttribute("aria-invalid", "true");
      props.focus();
      return;
    }
    sendBtn.disabled = true;
    result.replaceChildren(h("p", { class: "muted" }, t("test.sending")));
    try {
      const out = await sendTest(draft, webhook, properties);
      result.replaceChildren(render(out));
    } catch (e) {
      result.replaceChildren(h("p", { class: "msg error" }, String(e && e.message ? e.message : e)));
    } finally {
      sendBtn.disabled = false;
    }
  }
}

/** Runs the test; resolves { matched, calls: [{ method, url, headers, body, status, answer, ... }], reports }. */
export async function sendTest(draft, webhook, properties) {
  // Only the webhook under test (enabled), one attempt: a test never lingers in a retry queue.
  const settings = clone({
    version: 1,
    captureInputValues: !!draft.captureInputValues,
    destinations: draft.destinations.map((d) => (d.id === webhook.destination ? { ...d, maxAttempts: 1 } : d)),
    webhooks: [{ ...webhook, enabled: true }],
  });
  // Loaded first, so that loading the runtime is not taken for a test request.
  await runtimeReady();
  const calls = [];
  const reports = [];
  const realFetch = window.fetch;
  window.fetch = function (input, init = {}) {
    const call = {
      at: Date.now(),
      url: String(input && input.url ? input.url : input),
      method: init.method || "GET",
      mode: init.mode || "cors",
      headers: headerList(init.headers),
      body: typeof init.body === "string" ? init.body : init.body == null ? "" : String(init.body),
    };
    calls.push(call);
    const p = realFetch.call(window, input, init);
    call.done = p.then(
      (res) => {
        call.status = res.status;
        call.type = res.type;
        call.answerHeaders = [...res.headers];
        return res
          .clone()
          .text()
          .then(
            (t) => (call.answer = t),
            () => {}
          );
      },
      (err) => (call.error = String((err && err.message) || err))
    );
    return p;
  };
  let hooks;
  try {
    hooks = await startRuntime(settings, { playerEvents: false, autoCapture: false, worker: false }); // from the page, so the fetch wrapper sees the request
    const dest = settings.destinations.find((d) => d.id === webhook.destination);
    const auth = dest && dest.auth;
    const secret = auth && (auth.type === "bearer" ? auth.token : auth.type === "basic" ? auth.password : auth.type === "oauth2" ? auth.clientSecret : "x");
    let hostToken = false;
    if (auth && auth.type !== "none" && !secret) {
      hostToken = true;
      hooks.setTokenProvider(dest.id, () => "test-token-from-host-page");
    }
    const final = new Promise((resolve) => {
      hooks.onDelivery((r) => {
        if (r.webhookId && r.webhookId !== webhook.id) return;
        reports.push(r);
        if (r.outcome !== "retry") resolve();
      });
    });
    const matched = hooks.emit(webhook.event, properties);
    if (matched > 0) await Promise.race([final, new Promise((r) => setTimeout(r, 15000))]);
    await Promise.all(calls.map((c) => c.done));
    return { matched, calls, reports, hostToken };
  } finally {
    window.fetch = realFetch;
    if (hooks) hooks.stop();
  }
}

function headerList(headers) {
  if (!headers) return [];
  if (headers instanceof Headers) return [...headers];
  if (Array.isArray(headers)) return headers;
  return Object.entries(headers);
}

function render({ matched, calls, reports, hostToken }) {
  if (!matched) {
    return h("div", { class: "callout warn" }, h("strong", null, t("test.notMatched")), " ", t("test.notMatchedText"));
  }
  const last = reports[reports.length - 1];
  const kind = last ? (last.outcome === "delivered" ? "ok" : last.outcome === "sent" ? "info" : "error") : "error";
  const out = [
    h(
      "div",
      { class: "callout " + kind, dataset: { outcome: last ? last.outcome : "none" } },
      h("span", { class: "badge " + (last ? last.outcome : "failed") }, last ? t("outcome." + last.outcome) : t("test.noAnswer")),
      " ",
      last ? t("test.outcome." + last.outcome) : t("test.noAnswerText"),
      last && last.status ? ` HTTP ${last.status}.` : "",
      last && last.error ? ` ${deliveryError(last.error)}` : "",
      last ? ` ${Math.round(last.ms)} ms.` : ""
    ),
  ];
  if (hostToken) out.push(h("p", { class: "note" }, t("test.hostToken")));
  calls.forEach((c, i) => {
    const title = calls.length > 1 ? t("test.requestN", { n: i + 1, time: clock(c.at) }) : t("test.request", { time: clock(c.at) });
    out.push(
      h(
        "section",
        { class: "exchange", dataset: { call: i } },
        h("h3", null, title),
        h("p", { class: "reqline" }, h("span", { class: "method" }, c.method), " ", h("code", { class: "req-url" }, c.url), " ", h("span", { class: "chip-sm" }, t("test.mode", { mode: c.mode }))),
        c.headers.length ? headersTable(c.headers) : h("p", { class: "muted" }, t("test.noHeaders")),
        codeBlock(c.body ? pretty(c.body) : t("test.noBody"), t("test.bodyLabel", { title }), { class: "code req-body" }),
        h("h3", null, t("test.answer")),
        c.error
          ? h("p", { class: "msg error" }, c.error)
          : c.type === "opaque"
            ? h("p", { class: "muted" }, t("test.opaque"))
            : [h("p", { class: "answer-status" }, h("span", { class: "status s" + String(c.status)[0] }, String(c.status))), codeBlock(c.answer ? pretty(c.answer) : t("test.empty"), t("test.answerLabel", { title }), { class: "code answer-body" })]
      )
    );
  });
  return h("div", null, out);
}

function headersTable(list) {
  return h(
    "table",
    { class: "headers" },
    h("tbody", null, list.map(([k, v]) => h("tr", null, h("th", { scope: "row" }, k), h("td", null, /^authorization$/i.test(k) ? String(v).replace(/^(\w+\s+).+$/, "$1•••") : v))))
  );
}

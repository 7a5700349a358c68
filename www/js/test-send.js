// "Send test event": runs one sample event through the real module, with
// the webhook under test and the draft's destinations, and shows the request
// it sent and the answer it got. The module sends with fetch; a thin wrapper
// around window.fetch records what went out and what came back, for the
// time of the test only.

import init, { start } from "/pkg/index.js";
import { h, uid, field, pretty, clock } from "./dom.js";
import { sampleProperties } from "./samples.js";
import { clone } from "./store.js";

let ready = null;

export function openTestSend(ctx, webhookId) {
  const draft = ctx.draft();
  const webhook = draft.webhooks.find((w) => w.id === webhookId);
  if (!webhook) return;
  const event = ctx.byId.get(webhook.event);
  const destination = draft.destinations.find((d) => d.id === webhook.destination);
  const titleId = uid("t");
  const props = h("textarea", { rows: 10, class: "mono", spellcheck: "false" });
  props.value = JSON.stringify(event ? sampleProperties(event, webhook.conditions || []) : {}, null, 2);
  const fProps = field("Event properties", props, {
    wide: true,
    hint: "A sample for this event, made to meet the conditions. The module adds event.*, env.* and session.id itself; page.* stands in for the app's page.",
  });
  const result = h("div", { class: "test-result", "aria-live": "polite" });
  const sendBtn = h("button", { type: "button", class: "btn primary", onclick: () => run() }, "SEND TEST EVENT");
  const d = h(
    "dialog",
    { class: "modal wide", "aria-labelledby": titleId },
    h(
      "div",
      { class: "modal-head" },
      h("h2", { id: titleId }, "Send test event"),
      h("button", { type: "button", class: "icon-btn", "aria-label": "Close", onclick: () => d.close() }, "×")
    ),
    h(
      "div",
      { class: "modal-body" },
      h(
        "p",
        { class: "lede" },
        h("strong", null, webhook.name || webhook.id),
        ": ",
        event ? `${event.name} (${event.id})` : webhook.event,
        " → ",
        destination ? `${destination.platform || destination.id} · ${destination.method || "POST"} ${destination.url}` : "no destination"
      ),
      webhook.enabled === false ? h("p", { class: "note" }, "This webhook is disabled in the settings; the test sends it anyway.") : null,
      fProps.wrap,
      result
    ),
    h("div", { class: "modal-foot" }, h("button", { type: "button", class: "btn ghost", onclick: () => d.close() }, "CLOSE"), sendBtn)
  );
  d.addEventListener("close", () => d.remove());
  document.body.append(d);
  d.showModal();
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
      fProps.msg.textContent = "Not valid: " + e.message;
      props.setAttribute("aria-invalid", "true");
      props.focus();
      return;
    }
    sendBtn.disabled = true;
    result.replaceChildren(h("p", { class: "muted" }, "Sending…"));
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
  ready ||= init();
  await ready;
  // Only the webhook under test (enabled), one attempt: a test never lingers in a retry queue.
  const settings = clone({
    version: 1,
    captureInputValues: !!draft.captureInputValues,
    destinations: draft.destinations.map((d) => (d.id === webhook.destination ? { ...d, maxAttempts: 1 } : d)),
    webhooks: [{ ...webhook, enabled: true }],
  });
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
    hooks = start(settings, { playerEvents: false, autoCapture: false, worker: false }); // from the page, so the fetch wrapper sees the request
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

const OUTCOME = {
  delivered: "Delivered: the destination confirmed it (2xx).",
  sent: "Sent (no-cors): the browser hides the answer, so delivery cannot be confirmed.",
  retry: "The destination did not take it; the module would retry.",
  failed: "Failed.",
  dropped: "Dropped: the destination refused it; it is not retried.",
};

function render({ matched, calls, reports, hostToken }) {
  if (!matched) {
    return h(
      "div",
      { class: "callout warn" },
      h("strong", null, "Nothing sent: "),
      "these properties do not meet the webhook's conditions. Change them and send again."
    );
  }
  const last = reports[reports.length - 1];
  const kind = last ? (last.outcome === "delivered" ? "ok" : last.outcome === "sent" ? "info" : "error") : "error";
  const out = [
    h(
      "div",
      { class: "callout " + kind, dataset: { outcome: last ? last.outcome : "none" } },
      h("span", { class: "badge " + (last ? last.outcome : "failed") }, last ? last.outcome : "no answer"),
      " ",
      last ? OUTCOME[last.outcome] || last.outcome : "No answer within 15 seconds.",
      last && last.status ? ` HTTP ${last.status}.` : "",
      last && last.error ? ` ${last.error}` : "",
      last ? ` ${Math.round(last.ms)} ms.` : ""
    ),
  ];
  if (hostToken) out.push(h("p", { class: "note" }, "This destination takes its token from the host page; the test used a stand-in token provider."));
  calls.forEach((c, i) => {
    out.push(
      h(
        "section",
        { class: "exchange", dataset: { call: i } },
        h("h3", null, calls.length > 1 ? `Request ${i + 1} · ${clock(c.at)}` : `Request · ${clock(c.at)}`),
        h("p", { class: "reqline" }, h("span", { class: "method" }, c.method), " ", h("code", { class: "req-url" }, c.url), " ", h("span", { class: "chip-sm" }, "mode " + (c.mode === "no-cors" ? "no-cors" : c.mode))),
        c.headers.length ? headersTable(c.headers) : h("p", { class: "muted" }, "No headers set by the module."),
        h("pre", { class: "code req-body" }, c.body ? pretty(c.body) : "(no body)"),
        h("h3", null, "Answer"),
        c.error
          ? h("p", { class: "msg error" }, c.error)
          : c.type === "opaque"
            ? h("p", { class: "muted" }, "Opaque answer (no-cors): the browser does not let the page read it.")
            : [h("p", { class: "answer-status" }, h("span", { class: "status s" + String(c.status)[0] }, String(c.status))), h("pre", { class: "code answer-body" }, c.answer ? pretty(c.answer) : "(empty)")]
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

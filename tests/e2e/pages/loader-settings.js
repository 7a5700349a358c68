window.walkmeWebhookSettings = {
  version: 1,
  destinations: [{ id: "d", url: location.origin + "/hook/loader" }],
  webhooks: [{ id: "w", event: "launcher.clicked", destination: "d", properties: ["item.name"] }],
};
window.walkmeWebhookOptions = { autoCapture: false };
addEventListener("walkme:webhooks-ready", () => (document.body.dataset.ready = "true"));

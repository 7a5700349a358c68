// The settings file's URL comes from ?src= (default: the dev server's).
window.walkmeWebhookSettingsUrl = new URLSearchParams(location.search).get("src") || "/settings/walkme-webhooks.json";
window.walkmeWebhookOptions = { autoCapture: false, playerEvents: false };
addEventListener("walkme:webhooks-ready", () => (document.body.dataset.ready = "true"));

for (const name of ["Help", "Search", "Tour"]) {
  dispatchEvent(new CustomEvent("walkme:event", { detail: { type: "launcher.clicked", properties: { "item.name": name } } }));
}
window.earlyDispatched = !window.walkmeWebhooks;

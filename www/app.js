import init, { catalog } from "/pkg/index.js";

const status = document.getElementById("status");
try {
  await init();
  const events = catalog();
  const groups = new Map();
  for (const e of events) {
    if (!groups.has(e.group)) groups.set(e.group, []);
    groups.get(e.group).push(e);
  }
  const root = document.getElementById("catalog");
  for (const [group, list] of groups) {
    const section = document.createElement("section");
    section.className = "group";
    const h = document.createElement("h3");
    h.textContent = group;
    section.append(h);
    const ul = document.createElement("ul");
    for (const e of list) {
      const li = document.createElement("li");
      li.dataset.event = e.id;
      li.innerHTML = "<strong></strong> <code></code><p></p>";
      li.querySelector("strong").textContent = e.name;
      li.querySelector("code").textContent = e.id;
      li.querySelector("p").textContent = e.description + " (" + e.properties.length + " properties)";
      ul.append(li);
    }
    section.append(ul);
    root.append(section);
  }
  status.textContent = `Module loaded: ${events.length} events in ${groups.size} groups.`;
  status.dataset.ready = "true";
} catch (e) {
  status.textContent = "The module did not load: " + e;
}

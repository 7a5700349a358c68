// Test page of tests/e2e/bridge.test.mjs: loads the simulated player and the
// module when the test says, in either order. The page's own player hooks
// (walkme_ready, walkme_event, ...) and window.__walkmeStandinConfig are set by
// the test itself (an init script, or page.evaluate) before or after.
import init, { start, playerEvents } from "/pkg/index.js";

const page = {
  hooks: null,
  playerEvents,
  // The player: a classic script, like the WalkMe snippet adds; resolves
  // once WalkMeAPI is there and walkme_ready was called.
  loadPlayer() {
    return new Promise((resolve, reject) => {
      const s = document.createElement("script");
      s.src = "/js/walkme-player.js";
      s.onload = () => window.__walkmeStandin.whenReady.then(() => resolve());
      s.onerror = () => reject(new Error("the player did not load"));
      document.head.append(s);
    });
  },
  async start(settings, options) {
    await init();
    page.hooks = start(settings, options || {});
  },
  flush: () => page.hooks && page.hooks.flush(),
};
window.bridgePage = page;
document.body.dataset.ready = "true";

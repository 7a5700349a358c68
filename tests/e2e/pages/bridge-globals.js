// A page's player callbacks declared the old way, at the top level of a
// classic script: window properties that cannot be redefined or deleted.
// (Loaded by tests/e2e/bridge.test.mjs; __handler is its recorder.)
/* eslint-disable no-unused-vars, no-var */
var walkme_ready = __handler("walkme_ready");
function walkme_event() {
  return __handler("walkme_event").apply(this, arguments);
}

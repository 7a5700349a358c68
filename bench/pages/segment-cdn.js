// analytics-next's browser bundle takes the base URL of its lazily loaded
// chunks from window.analytics._cdn when it is evaluated: point it at the
// local copy (served by bench/server.mjs from node_modules), not at a CDN.
window.analytics = { _cdn: location.origin + "/seg" };

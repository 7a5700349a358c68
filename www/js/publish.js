// Settings Publish: writes the settings file the snippet loads
// (/settings/walkme-webhooks.json, see www/settings-store.mjs) through the
// editor module, then records the version and tells open demo tabs.
//
// The file is written with the ETag it had when this editor loaded it, so a
// publish from elsewhere in between is refused (HTTP 412) rather than
// silently overwritten.

import { publishSettings, publishedSettings } from "./module.js";
import { recordPublish } from "./store.js";

// undefined: not known yet (read it before publishing); null: nothing was published.
let knownEtag;

/** Remembers the settings file's ETag as the editor loads; resolves the file or null. */
export async function loadPublishedEtag() {
  try {
    const file = await publishedSettings();
    knownEtag = file ? file.etag : null;
    return file;
  } catch (_) {
    return null;
  }
}

/** Publishes `settings`; resolves the version recorded, throws when the file was not written. */
export async function publish(settings) {
  if (knownEtag === undefined) await loadPublishedEtag();
  const r = await publishSettings(settings, knownEtag);
  if (!r.ok) {
    if (r.status === 412) knownEtag = undefined; // someone else published: reload to see it
    throw new Error(r.error || "HTTP " + r.status);
  }
  knownEtag = r.etag;
  return recordPublish(settings);
}

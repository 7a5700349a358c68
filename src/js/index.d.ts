/** Loads and instantiates the visitor runtime; call once before `start`. */
export default function init(input?: InitInput): Promise<unknown>;
export { init };

export type InitInput = RequestInfo | URL | Response | BufferSource | WebAssembly.Module;

/** A JSON value. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** One problem in a settings document. */
export interface Problem {
  /** Where, e.g. `webhooks[0].static[1].name`. */
  path: string;
  /** What kind of problem, for programs: `wrong_type`, `missing`, `bad_url`, `unknown_event`, ... */
  code: string;
  /** What is wrong (the runtime says it in a few words; the editor module also says what to do). */
  message: string;
}

/** Result of `validate`. */
export interface Validation {
  ok: boolean;
  errors: Problem[];
  /** Not blocking: published secrets, destinations that do not allow CORS. */
  warnings: Problem[];
}

export type EventId =
  | "swt.step_played" | "swt.goal_reached" | "swt.started" | "swt.failed"
  | "launcher.clicked" | "onboarding.task_completed"
  | "shoutout.action_clicked" | "shoutout.dismissed" | "shoutout.goal_reached" | "shoutout.shown"
  | "smarttip.shown" | "smarttip.validation_error"
  | "survey.question_answered" | "survey.dismissed" | "survey.submitted"
  | "menu.opened" | "menu.searched" | "menu.item_selected"
  | "shuttle.goal_reached" | "resource.clicked" | "resource.goal_reached"
  | "teachme.visible" | "teachme.step_started" | "teachme.course_started" | "teachme.course_completed"
  | "teachme.quiz_played" | "teachme.quiz_submitted" | "teachme.quiz_passed" | "teachme.quiz_failed"
  | "dxa.click" | "dxa.input" | "dxa.page_view";

export type Operator =
  | "equals" | "not_equals" | "contains" | "not_contains" | "starts_with" | "ends_with"
  | "matches" | "gt" | "gte" | "lt" | "lte" | "exists" | "not_exists" | "in";

export type Auth =
  | { type: "none" }
  /** `tokenFrom`: a path on the page's own site that answers the token for the signed-in visitor (their cookies go with it). */
  | { type: "bearer"; token?: string; tokenFrom?: string }
  | { type: "basic"; username: string; password?: string }
  | { type: "oauth2"; tokenUrl: string; clientId: string; clientSecret?: string; scope?: string };

export interface Destination {
  id: string;
  platform?: string;
  method?: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
  /** `https://` (plain `http` only for localhost); may hold `{{property}}` placeholders in path and query. */
  url: string;
  auth?: Auth;
  headers?: { name: string; value: string }[];
  /** `cors` (default), `simple` (text/plain, no preflight) or `no-cors` (fire and forget). */
  mode?: "cors" | "simple" | "no-cors";
  /** `json` (needs mode cors), `form` (application/x-www-form-urlencoded) or `text`; by default json in cors mode, text otherwise. */
  format?: "json" | "form" | "text";
  /**
   * Body template: `"{{expr}}"` keeps the value's type, `{{expr}}` in text interpolates, `"{{properties}}"` is the
   * default body. `expr`: `source || source | filter | filter:N` (sources: a property, `properties`, `batch`,
   * a "literal" or a number; filters: json, base64, iso, seconds, ms, micros, mrkdwn, safe_keys, cut_keys:N, cut:N,
   * limit:N, string, number).
   */
  body?: Json;
  /** Several events per request; `"{{batch}}"` in `body` here is the list of the per-event bodies. */
  batch?: { maxEvents?: number; maxWaitMs?: number; body: Json };
  /** At most `requests` requests every `seconds` seconds. */
  rate?: { requests?: number; seconds?: number };
  timeoutMs?: number;
  maxAttempts?: number;
  idempotencyHeader?: boolean;
}

export interface Condition {
  property: string;
  operator: Operator;
  value?: Json;
  ignoreCase?: boolean;
  join?: "and" | "or";
}

export interface Webhook {
  id: string;
  name?: string;
  enabled?: boolean;
  event: EventId;
  conditions?: Condition[];
  /** When present only these are sent, each under `as` when given; `hash` sends the SHA-256 hex. */
  properties?: ({ name: string; as?: string; hash?: boolean } | string)[];
  static?: { name: string; value: Json }[];
  destination: string;
}

/** A player event mapped by the settings, on top of (or instead of) the built-in mapping. */
export interface PlayerEventRule {
  /** The player's event name (`SurveySubmitted`) or the older callbacks' `Type`. */
  type: string;
  via?: "events.on" | "walkme_event" | "walkme_player_event";
  /** The catalog event it becomes; null ignores it. */
  event: EventId | null;
  /** Payload field → catalog property. */
  fields?: Record<string, string>;
}

/** The published settings document. */
export interface Settings {
  version: 1;
  captureInputValues?: boolean;
  /** Keep the #fragment of page.url (it may hold tokens; left out by default). */
  keepUrlFragment?: boolean;
  destinations: Destination[];
  webhooks: Webhook[];
  playerEvents?: PlayerEventRule[];
}

export interface StartOptions {
  /** Capture clicks, input changes and page views (`dxa.*`). Default false. */
  autoCapture?: boolean;
  /** Log every request and outcome to the console, secrets masked. Default false. */
  debug?: boolean;
  /** Listen to the WalkMe player (its Events API, its older page callbacks) and to `walkme:event` CustomEvents. Default true. */
  playerEvents?: boolean;
  /** Make the requests in a worker, off the page's main thread, when the page's CSP allows blob: workers (worker-src). Default true. */
  worker?: boolean;
  /** Retry delays: the first retry waits about `baseMs` (default 1000), doubling, at most `maxMs` (default 300000). */
  backoff?: { baseMs?: number; maxMs?: number };
}

/** One attempt or drop, for `onDelivery`. */
export interface DeliveryReport {
  /** null for a report that is not about one delivery (a burst's dropped deliveries summed up, a skipped value). */
  webhookId: string | null;
  eventId: string | null;
  destinationId: string | null;
  /** `event.id:webhook.id`, the same on every attempt. */
  key: string | null;
  /** Attempt number, 0 when the delivery was dropped before being sent. */
  attempt: number;
  /** HTTP status, when there was one. */
  status: number | null;
  /** `sent`: left, but the answer cannot be read (no-cors, or a destination without CORS headers); `skipped`: values the page handed in that could not be read. */
  outcome: "delivered" | "sent" | "retry" | "failed" | "dropped" | "skipped";
  error: string | null;
  /** Duration of the attempt in ms. */
  ms: number;
}

export interface Stats {
  /** Deliveries created by matching events. */
  matched: number;
  /** Requests sent (every attempt). */
  sent: number;
  /** Deliveries confirmed by the destination. */
  delivered: number;
  /** `no-cors` deliveries sent without confirmation. */
  opaque: number;
  /** Deliveries waiting for a retry. */
  retrying: number;
  /** Deliveries given up after `maxAttempts`. */
  failed: number;
  /** Deliveries dropped (4xx, 410, bounds, too large, removed destination). */
  dropped: number;
  /** Deliveries not finished yet. */
  queued: number;
  inFlight: number;
  /** Deliveries with a copy in browser storage. */
  stored: number;
  /** Deliveries resumed from an earlier page or a closed tab. */
  resumed: number;
  /** Storage refused a write (quota); the queue runs in memory. */
  storageDegraded: boolean;
  /** Values the page handed in that could not be read (left out). */
  skipped: number;
  /** The module turned itself off after an internal error. */
  disabled: boolean;
}

/** One entry of the delivery history. */
export interface HistoryEntry extends DeliveryReport {
  /** When (ms since the epoch). */
  at: number;
}

export interface CatalogEvent {
  id: EventId;
  group: string;
  name: string;
  description: string;
  properties: { name: string; type: "string" | "number" | "boolean" | "list" }[];
}

export declare class SettingsError extends Error {
  errors: Problem[];
}

export declare class Hooks {
  /** Sends an event through the webhooks; returns how many matched. */
  emit(type: EventId | string, properties?: Record<string, Json>): number;
  /** Sets `user.id` and `user.<trait>` for the events that follow. */
  identify(userId: string | null, traits?: Record<string, Json>): void;
  /** Re-publishes settings; throws a `SettingsError` when invalid. */
  update(settings: Settings): void;
  /** Supplies a destination's token from the host page, so no secret is published. */
  setTokenProvider(
    destinationId: string,
    provider: ((destinationId: string) => string | { token: string; expiresIn?: number } | Promise<string | { token: string; expiresIn?: number }>) | null
  ): void;
  onDelivery(listener: (report: DeliveryReport) => void): void;
  /** Resolves when nothing is in flight and nothing is due. */
  flush(): Promise<void>;
  stats(): Stats;
  /** The delivery history of this site, newest last (the last 200 reports, kept across reloads). */
  history(): HistoryEntry[];
  /** Sends a failed or dropped delivery again, by its key; false when it cannot. */
  replay(key: string): boolean;
  /** The keys `replay` can send again. */
  replayable(): string[];
  /** Self-test: a failure inside the module; it reports once, turns itself off, and the page goes on. */
  selfTestFailure(): void;
  /** Stops listening and sending; what is pending is stored and sent at the next start. */
  stop(): void;
}

/** Starts the module on settings v1 (an object or its JSON text); throws a `SettingsError` when they are invalid. */
export function start(settings: Settings | string, options?: StartOptions): Hooks;

/** The player's event names and the catalog event each becomes. */
export function playerEvents(): { type: string; event: EventId | null; via: "events.on" | "walkme_event" | "walkme_player_event"; verified: boolean }[];

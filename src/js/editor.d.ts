// walkme-webhooks/editor: what the editor, tests and tools load.
import type { CatalogEvent, InitInput, Json, Problem, Settings, Validation } from "./index.js";
export type { CatalogEvent, Problem, Settings, Validation } from "./index.js";

/** Loads and instantiates the editor module. */
export default function init(input?: InitInput): Promise<unknown>;
export { init };

/** Checks settings (an object or its JSON text); never throws. */
export function validate(settings: unknown): Validation;
/** The event catalog with descriptions and each event's properties. */
export function catalog(): CatalogEvent[];
/** The condition operators, in the editor's order. */
export function operators(): { id: string; takesValue: boolean }[];
/** The template filters. */
export function filters(): string[];
/** The JSON Schema of settings v1. */
export function schema(): Json;

/** A destination preset (`presets/presets.json`). */
export interface Preset {
  id: string;
  name: string;
  /** The service's documentation of what the preset sends. */
  docs: string;
  /** Whether a page can send to the service, and why (not). */
  browser: { works: boolean; why: string };
  /** What a user fills in; `{{field:key}}` in `destination` marks where each goes. */
  fields: { key: string; label: string; help?: string; secret: boolean; publishable: boolean; required: boolean; placeholder?: string; pattern?: string }[];
  destination?: Json;
  rate?: { requests: number; seconds: number };
  batch?: { maxEvents: number; maxWaitMs: number; body: Json };
}
/** The destination presets. */
export function presets(): Preset[];

/** The exact request a webhook would send for an event (secrets masked), and each condition row's result. */
export interface Preview {
  ok: boolean;
  matched: boolean;
  conditions: boolean[];
  request: { method: string; url: string; headers: [string, string][]; body: string | null; mode: "cors" | "simple" | "no-cors" } | null;
  error: string | null;
  errors: Problem[];
}
export function preview(settings: Settings | string, webhookId: string, properties?: Record<string, Json>): Preview;

/** Publishes settings with PUT and If-Match (412: someone else published first). */
export function publish(url: string, settings: Settings | string, etag?: string | null): Promise<{ ok: boolean; status: number; etag: string | null; error: string | null }>;

/** What a destination URL allows from this page. */
export function probeCors(url: string): Promise<{ reachable: boolean; cors: boolean }>;

/** The player's event names and the catalog event each becomes. */
export function playerEvents(): { type: string; event: string | null; via: "events.on" | "walkme_event" | "walkme_player_event"; verified: boolean }[];

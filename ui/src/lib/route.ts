// Every screen and every record has an address: a hash route such as `#/records` or
// `#/records/Observation/o-1?source=c-1`. The window's own History API keeps the trail, so Back
// and Forward (buttons, mouse, keyboard) work the same in WebKitGTK, WebView2 and Chromium, and
// a link is a plain `<a href="#/…">` that can be followed and returned from.

/** Screens addressed by their name alone. */
export const SCREENS = ["overview", "plans", "records", "labs", "health", "claims", "prior-authorizations", "export", "computer", "settings"] as const;
export type ScreenName = (typeof SCREENS)[number];

export type Route =
  | { screen: ScreenName }
  /** One record: its FHIR type and id, and the connection (plan) it came from. */
  | { screen: "record"; type: string; id: string; source: string }
  /** One lab test or vital sign, by its key (`system|code`, as `LabTest.key`). */
  | { screen: "lab"; code: string }
  /** One claim (an ExplanationOfBenefit), with its connection when known. */
  | { screen: "claim"; id: string; source: string | null }
  /** One tab of My health (`medications`, `conditions`, …); `#/health` alone is the first. */
  | { screen: "health-tab"; tab: string }
  /** One prior authorization (a PDex ExplanationOfBenefit), with its connection. */
  | { screen: "prior-authorization"; id: string; source: string };

export const HOME: Route = { screen: "overview" };

/** The screen of the header's navigation a route belongs to (a record to Records, ...). */
export function sectionOf(route: Route): ScreenName {
  switch (route.screen) {
    case "record":
      return "records";
    case "lab":
      return "labs";
    case "claim":
      return "claims";
    case "health-tab":
      return "health";
    case "prior-authorization":
      return "prior-authorizations";
    default:
      return route.screen;
  }
}

const enc = encodeURIComponent;

/** The address of a route, `#/…`. */
export function formatRoute(route: Route): string {
  switch (route.screen) {
    case "record":
      return `#/records/${enc(route.type)}/${enc(route.id)}?source=${enc(route.source)}`;
    case "lab":
      return `#/labs/${enc(route.code)}`;
    case "health-tab":
      return `#/health/${enc(route.tab)}`;
    case "claim":
      return `#/claims/${enc(route.id)}${route.source === null ? "" : `?source=${enc(route.source)}`}`;
    case "prior-authorization":
      return `#/prior-authorizations/${enc(route.id)}?source=${enc(route.source)}`;
    default:
      return `#/${route.screen}`;
  }
}

/** A link to one record. */
export function recordHref(source: string, type: string, id: string): string {
  return formatRoute({ screen: "record", type, id, source });
}

function decode(part: string): string | null {
  try {
    return decodeURIComponent(part);
  } catch {
    return null;
  }
}

function isScreen(name: string): name is ScreenName {
  return (SCREENS as readonly string[]).includes(name);
}

/**
 * The route at an address (`location.hash`, with or without its `#`); `null` for an address
 * Folio does not have. The empty address is the overview.
 */
export function parseRoute(hash: string): Route | null {
  const text = hash.startsWith("#") ? hash.slice(1) : hash;
  if (text === "" || text === "/") return HOME;
  if (!text.startsWith("/")) return null;
  const [path = "", query = ""] = text.slice(1).split("?", 2);
  const params = new URLSearchParams(query);
  const parts = path.split("/").map(decode);
  if (parts.some((p) => p === null || p === "")) return null;
  const [first, ...rest] = parts as string[];
  if (first === undefined || !isScreen(first)) return null;
  if (rest.length === 0) return { screen: first };
  if (first === "records" && rest.length === 2) {
    const source = params.get("source");
    const [type, id] = rest as [string, string];
    return source ? { screen: "record", type, id, source } : null;
  }
  if (first === "labs" && rest.length === 1) return { screen: "lab", code: rest[0] as string };
  if (first === "health" && rest.length === 1) return { screen: "health-tab", tab: rest[0] as string };
  if (first === "claims" && rest.length === 1) return { screen: "claim", id: rest[0] as string, source: params.get("source") || null };
  if (first === "prior-authorizations" && rest.length === 1) {
    const source = params.get("source");
    return source ? { screen: "prior-authorization", id: rest[0] as string, source } : null;
  }
  return null;
}

/** Same address. */
export function sameRoute(a: Route, b: Route): boolean {
  return formatRoute(a) === formatRoute(b);
}

/** Which way a key press or mouse button moves in the history, if it is one of Back/Forward. */
export type Step = "back" | "forward";

/**
 * Back/Forward from the keyboard: Alt+Left / Alt+Right, and on macOS Cmd+[ / Cmd+] (where
 * Option+arrows move by word in text, so Alt+arrows are left to text fields there).
 */
export function keyStep(
  e: Pick<KeyboardEvent, "key" | "altKey" | "metaKey" | "ctrlKey" | "shiftKey">,
  mac: boolean,
  inText: boolean,
): Step | null {
  if (e.ctrlKey || e.shiftKey) return null;
  if (e.altKey && !e.metaKey && !(mac && inText)) {
    if (e.key === "ArrowLeft") return "back";
    if (e.key === "ArrowRight") return "forward";
  }
  if (mac && e.metaKey && !e.altKey) {
    if (e.key === "[") return "back";
    if (e.key === "]") return "forward";
  }
  return null;
}

/** Back/Forward from a mouse's side buttons (DOM `button` 3 and 4). */
export function mouseStep(button: number): Step | null {
  return button === 3 ? "back" : button === 4 ? "forward" : null;
}

// The window's place in its history: the current route, and whether Back and Forward lead
// anywhere. The trail itself is the window's History API (hash addresses); each entry Folio
// makes carries its position in `history.state`, so Back and Forward can be enabled or not
// (the History API does not say whether there is a previous entry).
import { HOME, formatRoute, parseRoute, sameRoute, type Route, type Step } from "../lib/route";

const POSITION = "folioPosition";
const FURTHEST = "folio.furthest";

function positionOf(state: unknown): number | null {
  if (typeof state !== "object" || state === null) return null;
  const n = (state as Record<string, unknown>)[POSITION];
  return typeof n === "number" ? n : null;
}

export class Navigation {
  /** The current route; `null` when the address is not one of Folio's. */
  route = $state.raw<Route | null>(HOME);
  position = $state(0);
  furthest = $state(0);
  readonly canBack = $derived(this.position > 0);
  readonly canForward = $derived(this.position < this.furthest);

  /** Reads the address now and follows it as it changes; returns the function that stops. */
  start(): () => void {
    const known = positionOf(history.state);
    if (known === null) {
      // The window's first entry (or one Folio did not make): position 0.
      history.replaceState({ [POSITION]: 0 }, "", location.hash ? location.href : formatRoute(HOME));
      this.position = this.furthest = 0;
      this.remember();
    } else {
      this.position = known;
      this.furthest = Math.max(known, Number(sessionStorage.getItem(FURTHEST) ?? 0) || 0);
    }
    this.route = parseRoute(location.hash);
    const read = (): void => this.read();
    window.addEventListener("popstate", read);
    window.addEventListener("hashchange", read);
    return () => {
      window.removeEventListener("popstate", read);
      window.removeEventListener("hashchange", read);
    };
  }

  private remember(): void {
    try {
      sessionStorage.setItem(FURTHEST, String(this.furthest));
    } catch {
      // Storage refused: Forward is only known until the window reloads.
    }
  }

  private read(): void {
    const known = positionOf(history.state);
    if (known === null) {
      // A link was followed (a new entry): one step on, and nothing ahead of it any more.
      this.position += 1;
      this.furthest = this.position;
      history.replaceState({ ...(history.state as object | null), [POSITION]: this.position }, "");
      this.remember();
    } else {
      this.position = known;
    }
    // A move is announced twice (popstate, then hashchange): the screens see one change.
    const next = parseRoute(location.hash);
    if (next === null || this.route === null || !sameRoute(next, this.route)) this.route = next;
  }

  /** Goes to a route as a link would (a new history entry); nothing when already there. */
  go(route: Route): void {
    const href = formatRoute(route);
    if (location.hash !== href) location.hash = href;
  }

  /** Puts a route in place of the current entry (a choice made for the member, e.g. a default). */
  replace(route: Route): void {
    history.replaceState(history.state, "", formatRoute(route));
    this.route = route;
  }

  step(step: Step): void {
    if (step === "back" && this.canBack) history.back();
    if (step === "forward" && this.canForward) history.forward();
  }
}

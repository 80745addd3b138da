// Where keyboard focus goes when the window changes (WCAG 2.4.3): a new screen starts at its
// heading; an opened record, claim, prior authorization or test at its own heading once it has
// arrived (marked `data-route-focus="{id}"` by its screen); Escape returns from one of those to
// its list and to the link that opened it.
import { sectionOf, type Route } from "../lib/route";

/** What to focus: the heading marked with `wait`'s id (else the screen's), or the link to `opener`. */
export interface FocusTarget {
  wait: string | null;
  opener?: string;
}

/** The record, claim, prior authorization or test a route opens, by id; null for a screen. */
function openedId(route: Route): string | null {
  switch (route.screen) {
    case "record":
    case "claim":
    case "prior-authorization":
      return route.id;
    case "lab":
      return route.code;
    default:
      return null;
  }
}

/**
 * Where focus goes when the route changes from `before` to `after`; null leaves it where it is
 * (the same screen: a tab of My health chosen from the tabs keeps focus on the tab).
 */
export function focusTargetOf(before: Route | null, after: Route | null): FocusTarget | null {
  if (after === null) return { wait: null };
  // #/labs alone shows its first test: that choice is the screen's own, focus stays at its heading.
  if (before?.screen === "labs" && after.screen === "lab") return null;
  const opened = openedId(after);
  if (opened !== null) return { wait: opened };
  if (before === null || sectionOf(before) !== sectionOf(after) || openedId(before) !== null) return { wait: null };
  return null;
}

/** The list an opened record, claim or prior authorization closes to with Escape. */
export function parentOf(route: Route): { route: Route } | null {
  switch (route.screen) {
    case "record":
      return { route: { screen: "records" } };
    case "claim":
      return { route: { screen: "claims" } };
    case "prior-authorization":
      return { route: { screen: "prior-authorizations" } };
    default:
      return null;
  }
}

const frame = (): Promise<void> => new Promise((resolve) => requestAnimationFrame(() => resolve()));

/** The screen's own heading: the first h1 or h2 in `main` outside a notice. */
function screenHeading(main: HTMLElement): HTMLElement | null {
  return [...main.querySelectorAll<HTMLElement>("h1, h2")].find((h) => !h.closest("[role=status], [role=alert]")) ?? null;
}

function focusable(el: HTMLElement): HTMLElement {
  if (!el.matches("a[href], button, input, select, textarea, summary, [tabindex]")) el.setAttribute("tabindex", "-1");
  return el;
}

/**
 * Waits (up to `frames` animation frames) for what `target` names to be in `main`, and returns
 * it ready to focus; the screen's heading when it never comes. `current` says whether the
 * route that asked is still the one shown (a newer change wins).
 */
export async function headingToFocus(main: HTMLElement, target: FocusTarget, current: () => boolean, frames = 300): Promise<HTMLElement | null> {
  for (let i = 0; i < frames; i++) {
    await frame();
    if (!current()) return null;
    if (target.opener !== undefined) {
      const link = [...main.querySelectorAll<HTMLAnchorElement>("a[href]")].find((a) => a.getAttribute("href") === target.opener);
      if (link) return link;
      // The list answers again after Escape; give it a moment, then settle for the heading.
      if (i < 60) continue;
    } else if (target.wait !== null) {
      const opened = [...main.querySelectorAll<HTMLElement>("[data-route-focus]")].find((e) => e.dataset.routeFocus === target.wait);
      if (opened) return focusable(opened);
      continue;
    }
    const heading = screenHeading(main);
    if (heading) return focusable(heading);
  }
  if (!current()) return null;
  const heading = screenHeading(main);
  return heading ? focusable(heading) : null;
}

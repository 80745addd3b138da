import { formatRoute, keyStep, mouseStep, parseRoute, recordHref, sectionOf, SCREENS, type Route } from "./route";

const every: Route[] = [
  ...SCREENS.map((screen) => ({ screen })),
  { screen: "record", type: "Observation", id: "o-1", source: "c-1" },
  // Ids, codes and connection ids with characters an address has to escape.
  { screen: "record", type: "ExplanationOfBenefit", id: "eob/2024 #1?x=y&z", source: "conn 7/é" },
  { screen: "lab", code: "http://loinc.org|2345-7" },
  { screen: "lab", code: "urn:oid:1.2.3|a b/c" },
  { screen: "claim", id: "eob-9", source: "c-2" },
  { screen: "claim", id: "eob-9", source: null },
  { screen: "prior-authorization", id: "pa 1", source: "c-2" },
];

describe("routes", () => {
  it("round-trips every route through its address", () => {
    for (const route of every) {
      const href = formatRoute(route);
      expect(href.startsWith("#/")).toBe(true);
      expect(parseRoute(href)).toEqual(route);
    }
  });

  it("writes readable addresses", () => {
    expect(formatRoute({ screen: "records" })).toBe("#/records");
    expect(recordHref("c-1", "Observation", "o-1")).toBe("#/records/Observation/o-1?source=c-1");
    expect(formatRoute({ screen: "lab", code: "http://loinc.org|2345-7" })).toBe("#/labs/http%3A%2F%2Floinc.org%7C2345-7");
    expect(formatRoute({ screen: "claim", id: "e1", source: null })).toBe("#/claims/e1");
  });

  it("opens the overview on an empty address and refuses addresses Folio does not have", () => {
    expect(parseRoute("")).toEqual({ screen: "overview" });
    expect(parseRoute("#")).toEqual({ screen: "overview" });
    expect(parseRoute("#/")).toEqual({ screen: "overview" });
    for (const bad of ["#/nowhere", "#records", "#/records/Observation", "#/records/Observation/o-1", "#/records/Observation/o-1/x?source=c",
      "#/labs/a/b", "#/overview/x", "#/records//o-1?source=c", "#/labs/%E0%A4%A"]) {
      expect(parseRoute(bad), bad).toBeNull();
    }
  });

  it("places a record under Records, a test under Labs and a claim under Claims", () => {
    expect(sectionOf({ screen: "record", type: "Encounter", id: "e", source: "c" })).toBe("records");
    expect(sectionOf({ screen: "lab", code: "x" })).toBe("labs");
    expect(sectionOf({ screen: "claim", id: "x", source: null })).toBe("claims");
    expect(sectionOf({ screen: "prior-authorization", id: "x", source: "c" })).toBe("prior-authorizations");
    expect(parseRoute("#/prior-authorizations/x"), "a prior authorization needs its source").toBeNull();
    expect(sectionOf({ screen: "settings" })).toBe("settings");
  });
});

describe("Back and Forward keys and buttons", () => {
  const key = (k: string, mods: Partial<Record<"altKey" | "metaKey" | "ctrlKey" | "shiftKey", boolean>> = {}) => ({
    key: k, altKey: false, metaKey: false, ctrlKey: false, shiftKey: false, ...mods,
  });
  it("reads Alt+Left/Right everywhere, and Cmd+[ / Cmd+] on macOS", () => {
    expect(keyStep(key("ArrowLeft", { altKey: true }), false, false)).toBe("back");
    expect(keyStep(key("ArrowRight", { altKey: true }), false, true)).toBe("forward");
    expect(keyStep(key("[", { metaKey: true }), true, true)).toBe("back");
    expect(keyStep(key("]", { metaKey: true }), true, false)).toBe("forward");
    expect(keyStep(key("ArrowLeft", { altKey: true }), true, false)).toBe("back");
  });
  it("leaves other keys, and Option+arrows in a macOS text field, alone", () => {
    expect(keyStep(key("ArrowLeft"), false, false)).toBeNull();
    expect(keyStep(key("ArrowLeft", { altKey: true }), true, true)).toBeNull();
    expect(keyStep(key("[", { metaKey: true }), false, false)).toBeNull();
    expect(keyStep(key("ArrowLeft", { altKey: true, shiftKey: true }), false, false)).toBeNull();
    expect(keyStep(key("[", { ctrlKey: true }), false, false)).toBeNull();
  });
  it("maps the mouse's side buttons", () => {
    expect(mouseStep(3)).toBe("back");
    expect(mouseStep(4)).toBe("forward");
    expect(mouseStep(0)).toBeNull();
    expect(mouseStep(1)).toBeNull();
  });
});

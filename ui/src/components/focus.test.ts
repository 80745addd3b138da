import { focusTargetOf, headingToFocus, parentOf } from "./focus";

describe("where focus goes when the route changes", () => {
  it("a new screen starts at its heading; an opened record, claim or test at its own heading", () => {
    expect(focusTargetOf({ screen: "overview" }, { screen: "claims" })).toEqual({ wait: null });
    expect(focusTargetOf({ screen: "claims" }, { screen: "claim", id: "eob-1", source: "c-1" })).toEqual({ wait: "eob-1" });
    expect(focusTargetOf({ screen: "records" }, { screen: "record", type: "Observation", id: "o-1", source: "c-1" })).toEqual({ wait: "o-1" });
    // Back from a record to its list: the list's heading.
    expect(focusTargetOf({ screen: "record", type: "Observation", id: "o-1", source: "c-1" }, { screen: "records" })).toEqual({ wait: null });
    expect(focusTargetOf({ screen: "overview" }, null)).toEqual({ wait: null });
  });

  it("stays where it is for a tab of the same screen, and when #/labs shows its first test itself", () => {
    expect(focusTargetOf({ screen: "health" }, { screen: "health-tab", tab: "conditions" })).toBeNull();
    expect(focusTargetOf({ screen: "labs" }, { screen: "lab", code: "http://loinc.org|2345-7" })).toBeNull();
    expect(focusTargetOf({ screen: "lab", code: "a" }, { screen: "lab", code: "b" })).toEqual({ wait: "b" });
  });

  it("Escape closes an opened record, claim or prior authorization to its list", () => {
    expect(parentOf({ screen: "claim", id: "e", source: null })).toEqual({ route: { screen: "claims" } });
    expect(parentOf({ screen: "record", type: "T", id: "i", source: "s" })).toEqual({ route: { screen: "records" } });
    expect(parentOf({ screen: "prior-authorization", id: "p", source: "s" })).toEqual({ route: { screen: "prior-authorizations" } });
    expect(parentOf({ screen: "overview" })).toBeNull();
  });
});

describe("the element focused", () => {
  it("waits for the opened record's heading, and makes a heading focusable", async () => {
    const main = document.createElement("main");
    main.innerHTML = "<h2>Claims and costs</h2><article></article>";
    document.body.append(main);
    const found = headingToFocus(main, { wait: "eob-1" }, () => true, 20);
    setTimeout(() => {
      main.querySelector("article")?.insertAdjacentHTML("beforeend", '<h3 data-route-focus="eob-2">Another</h3><h3 data-route-focus="eob-1">Doctor</h3>');
    }, 30);
    const el = await found;
    expect(el?.textContent).toBe("Doctor");
    expect(el?.getAttribute("tabindex")).toBe("-1");
    main.remove();
  });

  it("goes back to the link that opened a record, and gives way to a newer change", async () => {
    const main = document.createElement("main");
    main.innerHTML = '<h2>Claims</h2><a href="#/claims/a">A</a><a href="#/claims/b">B</a>';
    document.body.append(main);
    expect((await headingToFocus(main, { wait: null, opener: "#/claims/b" }, () => true))?.textContent).toBe("B");
    expect(await headingToFocus(main, { wait: null }, () => false)).toBeNull();
    expect((await headingToFocus(main, { wait: null }, () => true))?.tagName).toBe("H2");
    main.remove();
  });
});

import { registrationsRemovedWords } from "./status-text";

describe("registrationsRemovedWords", () => {
  it("says nothing when Folio had registered itself nowhere", () => {
    expect(registrationsRemovedWords(0, 0)).toBe("");
  });

  it("says where Folio's registrations were deleted and where the member must remove them", () => {
    expect(registrationsRemovedWords(1, 0)).toBe("Folio's registration was deleted at 1 plan Folio had registered itself at.");
    expect(registrationsRemovedWords(2, 1)).toBe(
      "Folio's registration was deleted at 2 plans Folio had registered itself at. 1 plan Folio had registered itself at could not be reached or did not delete the registration: remove Folio at that plan's developer portal.",
    );
    expect(registrationsRemovedWords(0, 2)).toMatch(/^2 plans .* remove Folio at those plans' developer portal\.$/);
  });
});

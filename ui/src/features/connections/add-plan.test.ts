import { addPlanRequest, needsClientId, needsSecret, signInChoices, type AddPlanForm } from "./add-plan";

const form: AddPlanForm = {
  name: "Acme Health", fhirBase: "https://fhir.acme.example/r4", clientId: "folio-at-acme",
  signIn: "none", secret: "", redirect: "loopback", port: "",
};

describe("addPlanRequest", () => {
  it("offers every way of signing in the command line offers, in plain words", () => {
    expect(signInChoices.map((c) => c.value)).toEqual(["none", "secret-basic", "secret-post", "private-key-jwt", "register"]);
    expect(signInChoices.every((c) => c.label.length > 0 && c.hint.length > 0)).toBe(true);
  });

  it("sends a public client without a secret", () => {
    expect(addPlanRequest(form)).toEqual({
      name: "Acme Health", fhirBase: "https://fhir.acme.example/r4", clientId: "folio-at-acme",
      clientAuth: "none", clientSecret: null, redirect: "loopback", loopbackPort: null, register: false,
    });
  });

  it("sends the secret only with a secret method, and asks for it when missing", () => {
    expect(addPlanRequest({ ...form, signIn: "secret-post", secret: "  s3cret  " })).toMatchObject({ clientAuth: "secret-post", clientSecret: "s3cret" });
    expect(addPlanRequest({ ...form, signIn: "secret-basic", secret: " " })).toBe("Enter the client secret the plan's portal gave you.");
    expect(addPlanRequest({ ...form, signIn: "private-key-jwt", secret: "left over" })).toMatchObject({ clientAuth: "private-key-jwt", clientSecret: null });
    expect(needsSecret("secret-basic") && needsSecret("secret-post") && !needsSecret("private-key-jwt")).toBe(true);
  });

  it("registers without a client id", () => {
    expect(needsClientId("register")).toBe(false);
    expect(addPlanRequest({ ...form, signIn: "register" })).toMatchObject({ register: true, clientId: "", clientAuth: "none" });
  });

  it("takes a fixed loopback port from 1 to 65535, and none for Folio's link", () => {
    expect(addPlanRequest({ ...form, port: "48123" })).toMatchObject({ loopbackPort: 48123 });
    for (const bad of ["0", "65536", "12.5", "http"]) {
      expect(addPlanRequest({ ...form, port: bad })).toBe("The port must be a whole number from 1 to 65535.");
    }
    expect(addPlanRequest({ ...form, redirect: "custom-scheme", port: "48123" })).toMatchObject({ loopbackPort: null });
  });
});

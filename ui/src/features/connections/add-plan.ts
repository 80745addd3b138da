// The Add a plan form's choices in plain words, and the request they make (issue 15): the same
// choices as `folio plans add`.
import type { AddPlanRequest, ClientAuthMethod, RedirectStyle } from "../../ipc";

/** How the member got Folio onto the plan, as the form offers it. */
export type SignInChoice = ClientAuthMethod | "register";

export const signInChoices: { value: SignInChoice; label: string; hint: string }[] = [
  { value: "none", label: "With a client id only", hint: "The plan's portal gave you a client id and no secret." },
  {
    value: "secret-basic",
    label: "With a client id and a secret",
    hint: "The portal gave you a secret. Folio keeps it in this computer's keychain, never in its files.",
  },
  {
    value: "secret-post",
    label: "With a client id and a secret, sent in the form",
    hint: "Choose this only if the portal says the secret goes in the request body (client_secret_post).",
  },
  {
    value: "private-key-jwt",
    label: "With a key Folio makes for this plan",
    hint: "Folio makes a key pair; you paste its public key set (JWKS) into the plan's portal. The private key stays in this computer's keychain.",
  },
  {
    value: "register",
    label: "Let Folio register itself at the plan",
    hint: "For plans that let apps register on their own. No client id needed.",
  },
];

/** What the member typed. */
export interface AddPlanForm {
  name: string;
  fhirBase: string;
  clientId: string;
  signIn: SignInChoice;
  secret: string;
  redirect: RedirectStyle;
  /** Empty for any free port. */
  port: string;
}

/** Whether the choice needs a secret from the portal. */
export function needsSecret(choice: SignInChoice): boolean {
  return choice === "secret-basic" || choice === "secret-post";
}

/** Whether the choice needs a client id from the portal. */
export function needsClientId(choice: SignInChoice): boolean {
  return choice !== "register";
}

/** The request the form makes, or a sentence saying what is missing. */
export function addPlanRequest(form: AddPlanForm): AddPlanRequest | string {
  const register = form.signIn === "register";
  const clientAuth: ClientAuthMethod = form.signIn === "register" ? "none" : form.signIn;
  const secret = form.secret.trim();
  if (needsSecret(form.signIn) && secret === "") return "Enter the client secret the plan's portal gave you.";
  let loopbackPort: number | null = null;
  if (form.redirect === "loopback" && form.port.trim() !== "") {
    const port = Number(form.port.trim());
    if (!Number.isInteger(port) || port < 1 || port > 65535) return "The port must be a whole number from 1 to 65535.";
    loopbackPort = port;
  }
  return {
    name: form.name,
    fhirBase: form.fhirBase,
    clientId: register ? "" : form.clientId,
    clientAuth,
    clientSecret: needsSecret(form.signIn) ? secret : null,
    redirect: form.redirect,
    loopbackPort,
    register,
  };
}

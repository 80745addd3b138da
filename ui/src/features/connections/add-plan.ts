// The Add a plan form's choices in plain words, and the request they make (issue 15): the same
// choices as `folio plans add`.
import type { AddPlanRequest, ClientAuthMethod, RedirectStyle } from "../../ipc";
import { t, type MessageId } from "../../lib/i18n.svelte";

/** How the member got Folio onto the plan, as the form offers it. */
export type SignInChoice = ClientAuthMethod | "register";

export const signInChoices: { value: SignInChoice; label: MessageId; hint: MessageId }[] = [
  { value: "none", label: "signIn.none", hint: "signIn.noneHint" },
  { value: "secret-basic", label: "signIn.secretBasic", hint: "signIn.secretBasicHint" },
  { value: "secret-post", label: "signIn.secretPost", hint: "signIn.secretPostHint" },
  { value: "private-key-jwt", label: "signIn.key", hint: "signIn.keyHint" },
  { value: "register", label: "signIn.register", hint: "signIn.registerHint" },
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
  if (needsSecret(form.signIn) && secret === "") return t("signIn.needSecret");
  let loopbackPort: number | null = null;
  if (form.redirect === "loopback" && form.port.trim() !== "") {
    const port = Number(form.port.trim());
    if (!Number.isInteger(port) || port < 1 || port > 65535) return t("signIn.badPort");
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

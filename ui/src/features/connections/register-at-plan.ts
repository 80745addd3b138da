// What the "Register Folio at this plan" guide shows for a catalog plan Folio holds no client
// id for (issue 15 §3): the redirect addresses to enter at the plan's portal, the app type and
// the request that saves what the portal gave. No DOM here.
import type { AddPlanRequest, PlanSummary } from "../../ipc";
import { t } from "../../lib/i18n.svelte";

/** Folio's private-use URL scheme (the same as the host's `URL_SCHEME`). */
export const APP_SCHEME = "health.folio.desktop";

export type Registration = NonNullable<PlanSummary["registration"]>;

/** The redirect address(es) to enter at the portal for the member's own entry of `plan`. A
 * loopback plan takes any port on 127.0.0.1 (RFC 8252 §7.3), unless the member fixes one because
 * the portal insists on one exact address. */
export function redirectUris(plan: PlanSummary, registration: Registration, port: number | null): string[] {
  const path = `/cb/${registration.memberPlanId}`;
  if (plan.redirect === "custom-scheme") return [`${APP_SCHEME}:${path}`];
  return [port === null ? `http://127.0.0.1${path}` : `http://127.0.0.1:${port}${path}`];
}

/** The app type to pick at the portal, in plain words. */
export function appTypeText(registration: Registration): string {
  if (registration.clientAuth === "private-key-jwt")
    return t("register.appKey");
  if (registration.clientAuth === "secret-basic" || registration.clientAuth === "secret-post")
    return t("register.appSecret");
  return t("register.appPublic");
}

/** Whether the portal gives a secret the member must enter. */
export function needsPortalSecret(registration: Registration): boolean {
  return registration.clientAuth === "secret-basic" || registration.clientAuth === "secret-post";
}

/** A port the member typed: empty for any port, else 1 to 65535; `undefined` when invalid. */
export function parsePort(text: string): number | null | undefined {
  const t = text.trim();
  if (t === "") return null;
  if (!/^\d{1,5}$/.test(t)) return undefined;
  const n = Number(t);
  return n >= 1 && n <= 65535 ? n : undefined;
}

/** The add-plan request that saves the member's registration under the id the guide showed. */
export function completeRequest(
  plan: PlanSummary,
  registration: Registration,
  clientId: string,
  secret: string,
  port: number | null,
): AddPlanRequest {
  return {
    name: plan.name,
    fhirBase: plan.fhirBase,
    clientId: clientId.trim(),
    clientAuth: registration.clientAuth,
    clientSecret: needsPortalSecret(registration) ? secret : null,
    redirect: plan.redirect,
    loopbackPort: plan.redirect === "loopback" ? port : null,
    register: false,
  };
}

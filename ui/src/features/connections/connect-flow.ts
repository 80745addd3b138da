// The connect flow as the screen sees it: start the sign-in (the host opens the browser), wait
// for the member, report each phase. No DOM here, so it is tested without a browser.
import {
  beginConnect,
  finishConnect,
  toFolioError,
  type ConnectionSummary,
  type FolioError,
  type PlanSummary,
} from "../../ipc";
import { t } from "../../lib/i18n.svelte";

export type ConnectPhase =
  | { kind: "idle" }
  | { kind: "starting"; plan: PlanSummary }
  | { kind: "waiting"; plan: PlanSummary; url: string }
  | { kind: "connected"; plan: PlanSummary; connection: ConnectionSummary }
  | { kind: "failed"; plan: PlanSummary; error: FolioError };

export async function connect(plan: PlanSummary, report: (phase: ConnectPhase) => void): Promise<ConnectPhase> {
  let phase: ConnectPhase = { kind: "starting", plan };
  report(phase);
  try {
    const started = await beginConnect(plan.id);
    report({ kind: "waiting", plan, url: started.authorizeUrl });
    const connection = await finishConnect(plan.id);
    phase = { kind: "connected", plan, connection };
  } catch (error) {
    phase = { kind: "failed", plan, error: toFolioError(error) };
  }
  report(phase);
  return phase;
}

/** Plans whose name, id or address contains every word of `query`. */
export function filterPlans(plans: readonly PlanSummary[], query: string): PlanSummary[] {
  const words = query.toLowerCase().split(/\s+/).filter((w) => w.length > 0);
  return plans.filter((p) => {
    const text = `${p.name} ${p.id} ${p.fhirBase}`.toLowerCase();
    return words.every((w) => text.includes(w));
  });
}

/** The connect button's words: the demo plan's two entries differ by how they return to Folio. */
export function connectLabel(plan: PlanSummary): string {
  if (plan.registration) return t("plans.register");
  if (!plan.isDemo) return t("plans.connect");
  return plan.redirect === "custom-scheme" ? t("plans.tryLink") : t("plans.tryDemo");
}

// The UI's one port to the host. Only this folder imports @tauri-apps/*; features call these
// functions and receive plain data or a FolioError with a stable code.
import {
  commands,
  events,
  type FolioEvent_Serialize,
  type Preferences,
  type ClaimYear,
  type ClaimList_Serialize,
  type ClaimDetail_Serialize,
  type CostSummary_Serialize,
  type LabTest_Serialize,
  type MyHealth_Serialize,
  type ExportRequest_Deserialize,
  type ExportSummary,
  type ImportSummary,
  type RemovedData,
  type Overview_Serialize,
  type LabSeries_Serialize,
  type RecordDetail_Serialize,
  type TimelinePage_Serialize,
  type TimelineQuery_Deserialize,
  type ApiError,
  type AppStatus,
  type ConnectionSummary_Serialize,
  type ConnectionAccess_Serialize,
  type DisconnectResult,
  type ErrorCode,
  type PlanSummary_Serialize,
  type PlanSupport_Serialize,
  type AddPlanRequest_Deserialize,
  type AddedPlanView_Serialize,
  type SignInStarted,
  type BackgroundSync_Serialize,
  type NoticeScreen,
  type PriorAuthSummary_Serialize,
  type PriorAuthDetail_Serialize,
  type PriorAuthOverview_Serialize,
} from "./bindings";

export type {
  AppStatus,
  StorageStatus,
  KeyHome,
  DataDirOrigin,
  ConnectionStatus,
  DisconnectResult,
  RedirectStyle,
  ClientAuthMethod,
  SignInStarted,
  Preferences,
  ClaimYear,
  LabCategory,
  ExportFormat,
  ExportSummary,
  ImportSummary,
  SourceKind,
  RemovedData,
  LabFlag,
  SyncProgress,
  SyncReport,
  SyncFailureCode,
  TypeOutcome,
  TypeResult,
  NewRecordCounts,
  NoticeScreen,
  PriorAuthStatus,
} from "./bindings";
import { t } from "../lib/i18n.svelte";
/** How often connections sync in the background (`everyHours: null`: off). */
export type BackgroundSync = BackgroundSync_Serialize;
/** Something that happened in Folio (a sync's start, progress and end; records or a connection
 * changed), as the host sends it. */
export type FolioEvent = FolioEvent_Serialize;
/** A page of claims, with the years that have claims. */
export type ClaimList = ClaimList_Serialize;
/** One claim in the list. */
export type ClaimSummary = ClaimList_Serialize["items"][number];
/** One claim in full. */
export type ClaimDetail = ClaimDetail_Serialize;
/** A year's costs per plan. */
export type CostSummary = CostSummary_Serialize;
/** One plan's costs for a year. */
export type PlanCosts = CostSummary_Serialize["plans"][number];
/** A plan Folio can connect to. */
export type PlanSummary = PlanSummary_Serialize;
/** A connection to a plan. */
export type ConnectionSummary = ConnectionSummary_Serialize;
/** How long a connection's access lasts and whether Folio renews it. */
export type ConnectionAccess = ConnectionAccess_Serialize;
/** A plan the member adds: the same choices as `folio plans add`. */
export type AddPlanRequest = AddPlanRequest_Deserialize;
/** A plan just added, with the public JWKS when Folio made a key for it. */
export type AddedPlan = AddedPlanView_Serialize;
/** What a plan's server supports, as Folio found out by syncing with it. */
export type PlanSupport = PlanSupport_Serialize;
/** What part of the timeline to show. */
export type TimelineQuery = TimelineQuery_Deserialize;
/** A page of the timeline. */
export type TimelinePage = TimelinePage_Serialize;
/** One item of the timeline. */
export type TimelineItem = TimelinePage_Serialize["items"][number];
/** One record with its source. */
export type RecordDetail = RecordDetail_Serialize;
/** One fact of a record, in words ("Result", "Prescribed by"). */
export type RecordFact = RecordDetail_Serialize["summary"]["facts"][number];

/** A lab test or vital sign with its newest result. */
export type LabTest = LabTest_Serialize;
/** One test's results over time. */
export type LabSeries = LabSeries_Serialize;
/** One measured value over time. */
export type LabLine = LabSeries_Serialize["lines"][number];
/** One result on a line. */
export type LabPoint = LabLine["points"][number];

/** Everything the My health screen shows. */
export type MyHealth = MyHealth_Serialize;
/** One medicine, merged from its records. */
export type MedicineView = MyHealth["medications"][number];
/** Whether the member takes a medicine. */
export type MedicineStatus = MedicineView["status"];
/** One condition. */
export type ConditionView = MyHealth["conditions"][number];
/** One allergy or intolerance. */
export type AllergyView = MyHealth["allergies"][number];
/** One vaccine and its doses. */
export type ImmunizationView = MyHealth["immunizations"][number];
/** One visit. */
export type VisitView = MyHealth["visits"][number];
/** A clinician or organization in the member's visits and claims. */
export type CareTeamMember = MyHealth["careTeam"][number];
/** A record an item was read from. */
export type SourceRecord = MedicineView["sources"][number];

/** One prior authorization in the list. */
export type PriorAuthSummary = PriorAuthSummary_Serialize;
/** One prior authorization in full. */
export type PriorAuthDetail = PriorAuthDetail_Serialize;
/** One item or service of a prior authorization. */
export type PriorAuthItem = PriorAuthDetail_Serialize["items"][number];
/** A coded fact in the plan's words, with its code. */
export type CodedWords = PriorAuthDetail_Serialize["reasons"][number];
/** The overview's prior-authorization tile. */
export type PriorAuthOverview = PriorAuthOverview_Serialize;

/** The first screen's data. */
export type Overview = Overview_Serialize;
/** An insurance card. */
export type CoverageCard = Overview_Serialize["coverages"][number];
/** How many records of one kind. */
export type KindCount = Overview_Serialize["counts"][number];

/** What to export. */
export type ExportRequest = ExportRequest_Deserialize;

/** Codes the UI can see: the host's, plus one for a broken bridge to the host. */
export type UiErrorCode = ErrorCode | "ipc_unavailable";

/** A failure from the host, carried as `{ code, message }`. */
export class FolioError extends Error {
  readonly code: UiErrorCode;
  constructor(code: UiErrorCode, message: string) {
    super(message);
    this.name = "FolioError";
    this.code = code;
  }
}

function isApiError(value: unknown): value is ApiError {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as { code?: unknown }).code === "string" &&
    typeof (value as { message?: unknown }).message === "string"
  );
}

/** Turns anything thrown by the bridge into a FolioError (never leaks a stack to the member). */
export function toFolioError(error: unknown): FolioError {
  if (error instanceof FolioError) return error;
  if (isApiError(error)) return new FolioError(error.code, error.message);
  return new FolioError(
    "ipc_unavailable",
    t("error.ipc_unavailable.detail"),
  );
}

async function unwrap<T>(call: () => Promise<{ status: "ok"; data: T } | { status: "error"; error: ApiError }>): Promise<T> {
  let result;
  try {
    result = await call();
  } catch (error) {
    throw toFolioError(error);
  }
  if (result.status === "error") throw toFolioError(result.error);
  return result.data;
}

/** The app's version, data folder and database facts. */
export function appStatus(): Promise<AppStatus> {
  return unwrap(() => commands.appStatus());
}

/** Opens the member's records with their passphrase (or, on first run without a keychain,
 * locks them with it). Rejects with `wrong_passphrase` or `passphrase_too_short`. */
export async function unlock(passphrase: string): Promise<void> {
  await unwrap(() => commands.unlock(passphrase));
}

/** Every plan Folio can connect to (the demo plan first). */
export function listPlans(): Promise<PlanSummary[]> {
  return unwrap(() => commands.listPlans());
}

/** Adds a plan by FHIR base URL and client id (or by registering Folio at it), with the client
 * authentication it requires. A client secret goes to the OS keychain only. */
export function addPlan(request: AddPlanRequest): Promise<AddedPlan> {
  return unwrap(() => commands.addPlan(request));
}

/** The public JWKS (JSON text) of the key Folio made for a private-key-jwt plan. */
export function planJwks(planId: string): Promise<string> {
  return unwrap(() => commands.planJwks(planId));
}

/** What a plan supports (what it refused or ignored, the page size it gives), as plain
 * sentences and per kind of record. */
export function planSupport(planId: string): Promise<PlanSupport> {
  return unwrap(() => commands.planSupport(planId));
}

/** Starts the built-in demo plan. */
export function startDemoPlan(): Promise<PlanSummary> {
  return unwrap(() => commands.startDemoPlan());
}

/** Starts a sign-in; the host opens the plan's page in the system browser. */
export function beginConnect(planId: string): Promise<SignInStarted> {
  return unwrap(() => commands.beginConnect(planId));
}

/** Waits for the member to finish signing in. */
export function finishConnect(planId: string): Promise<ConnectionSummary> {
  return unwrap(() => commands.finishConnect(planId));
}

/** Cancels a sign-in in progress. */
export function cancelConnect(planId: string): Promise<boolean> {
  return unwrap(() => commands.cancelConnect(planId));
}

/** Every connection. */
export function listConnections(): Promise<ConnectionSummary[]> {
  return unwrap(() => commands.listConnections());
}

/** Disconnects a plan, optionally deleting its cached records. */
export function disconnect(connectionId: string, deleteData: boolean): Promise<DisconnectResult> {
  return unwrap(() => commands.disconnect(connectionId, deleteData));
}

/** Starts downloading a connection's records (or, with `null`, every connected plan's, one after
 * another) and resolves at once to the run's id; what happens arrives through `onFolioEvent`
 * (`syncStarted`, `syncProgress`, `recordsChanged`, `connectionChanged`, then `syncFinished`).
 * Rejects with `sync_already_running` while that connection downloads. */
export function startSync(connectionId: string | null): Promise<number> {
  return unwrap(() => commands.startSync(connectionId));
}

/** Asks a running sync to stop after its current page. */
export function cancelSync(connectionId: string): Promise<boolean> {
  return unwrap(() => commands.cancelSync(connectionId));
}

/** Calls `handler` with every event from the host, in order; resolves to a function that stops it. */
export async function onFolioEvent(handler: (event: FolioEvent) => void): Promise<() => void> {
  try {
    return await events.folioEventMessage.listen((event) => handler(event.payload));
  } catch (error) {
    throw toFolioError(error);
  }
}

/** Listens to host events for as long as a component lives: call inside `$effect`, return what
 * it returns (it stops listening when the component goes). */
export function listenWhileMounted(handler: (event: FolioEvent) => void): () => void {
  let stop: (() => void) | null = null;
  let gone = false;
  onFolioEvent(handler)
    .then((unlisten) => {
      if (gone) unlisten();
      else stop = unlisten;
    })
    .catch(() => {});
  return () => {
    gone = true;
    stop?.();
  };
}

/** A page of the member's timeline, newest first. */
export function timeline(query: TimelineQuery): Promise<TimelinePage> {
  return unwrap(() => commands.timeline(query));
}

/** One record with where it came from. */
export function record(connectionId: string, resourceType: string, resourceId: string): Promise<RecordDetail> {
  return unwrap(() => commands.record(connectionId, resourceType, resourceId));
}

/** The member's remembered choices. */
export function preferences(): Promise<Preferences> {
  return unwrap(() => commands.preferences());
}

/** Remembers whether to show sensitive records. */
export function setShowSensitive(show: boolean): Promise<Preferences> {
  return unwrap(() => commands.setShowSensitive(show));
}

/** Claims added up per plan and year of service, newest first. */
export function claimYears(connections: string[], includeSensitive: boolean): Promise<ClaimYear[]> {
  return unwrap(() => commands.claimYears(connections, includeSensitive));
}

/** A page of the member's claims, newest service first (`year`: only that year). */
export function claims(query: { year: number | null; offset: number; limit: number }): Promise<ClaimList> {
  return unwrap(() => commands.claims(query));
}

/** One claim in full, as a paper EOB shows it. */
export function claim(connectionId: string, resourceId: string): Promise<ClaimDetail> {
  return unwrap(() => commands.claim(connectionId, resourceId));
}

/** A year's costs per plan with deductible and out-of-pocket progress (the newest year when null). */
export function costSummary(year: number | null): Promise<CostSummary> {
  return unwrap(() => commands.costSummary(year));
}

/** Every prior authorization, pending first, then the newest. */
export function priorAuthorizations(includeSensitive: boolean): Promise<PriorAuthSummary[]> {
  return unwrap(() => commands.priorAuthorizations(includeSensitive));
}

/** One prior authorization in full. */
export function priorAuthorization(connectionId: string, resourceId: string): Promise<PriorAuthDetail> {
  return unwrap(() => commands.priorAuthorization(connectionId, resourceId));
}

/** How many prior authorizations in each state, and the approvals that end first. */
export function priorAuthOverview(includeSensitive: boolean): Promise<PriorAuthOverview> {
  return unwrap(() => commands.priorAuthOverview(includeSensitive));
}

/** Every lab test and vital sign with results, with its newest result. */
export function labTests(includeSensitive: boolean): Promise<LabTest[]> {
  return unwrap(() => commands.labTests(includeSensitive));
}

/** One test's results over time, units reconciled. */
export function labSeries(key: string, includeSensitive: boolean): Promise<LabSeries> {
  return unwrap(() => commands.labSeries(key, includeSensitive));
}

/** Medicines, conditions, allergies, immunizations, visits and care team. */
export function myHealth(includeSensitive: boolean): Promise<MyHealth> {
  return unwrap(() => commands.myHealth(includeSensitive));
}

/** Coverage cards, records by kind, and what arrived since the member's last visit. */
export function overview(includeSensitive: boolean): Promise<Overview> {
  return unwrap(() => commands.overview(includeSensitive));
}

/** Asks where to save (the system dialog), then exports; `null` when the member cancels. */
export function exportHistory(request: ExportRequest): Promise<ExportSummary | null> {
  return unwrap(() => commands.exportHistory(request));
}

/** Asks for a FHIR file (or, with `folder`, a folder of NDJSON files) and imports it as a new
 * source; `null` when the member cancels. */
export function importHistory(folder: boolean): Promise<ImportSummary | null> {
  return unwrap(() => commands.importHistory(folder));
}

/** Revokes Folio's access at plans, deletes its keychain entries and erases the database. */
export function removeAllData(): Promise<RemovedData> {
  return unwrap(() => commands.removeAllData());
}

/** Asks where to save a record's attachment, then writes it; the bytes written, or `null`
 * when the member cancels. */
export function saveAttachment(
  connectionId: string,
  resourceType: string,
  resourceId: string,
  index: number,
  suggestedName: string,
): Promise<number | null> {
  return unwrap(() => commands.saveAttachment(connectionId, resourceType, resourceId, index, suggestedName));
}

/** How often connections sync in the background. */
export function backgroundSync(): Promise<BackgroundSync> {
  return unwrap(() => commands.backgroundSync());
}

/** Remembers how often to sync in the background (`everyHours: null` turns it off); resolves to
 * what is now in force. */
export function setBackgroundSync(setting: BackgroundSync): Promise<BackgroundSync> {
  return unwrap(() => commands.setBackgroundSync(setting));
}

/** Whether Folio opens (minimized) when the member logs in. */
export function launchAtLogin(): Promise<boolean> {
  return unwrap(() => commands.launchAtLogin());
}

/** Turns opening at login on or off; resolves to what is now in force. */
export function setLaunchAtLogin(enabled: boolean): Promise<boolean> {
  return unwrap(() => commands.setLaunchAtLogin(enabled));
}

/** Calls `handler` with the screen a clicked new-records notification opens, for as long as a
 * component lives (call inside `$effect`, return what it returns). */
export function openScreenWhileMounted(handler: (screen: NoticeScreen) => void): () => void {
  let stop: (() => void) | null = null;
  let gone = false;
  events.openScreenMessage
    .listen((event) => handler(event.payload))
    .then((unlisten) => {
      if (gone) unlisten();
      else stop = unlisten;
    })
    .catch(() => {});
  return () => {
    gone = true;
    stop?.();
  };
}

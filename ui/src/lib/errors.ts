// Headlines for every error code the host can send. Branches on codes, never on message text.
import type { UiErrorCode } from "../ipc";

export function describeError(code: UiErrorCode): string {
  switch (code) {
    case "data_dir_unavailable":
      return "Folio cannot use its data folder";
    case "storage_unavailable":
      return "Folio cannot open its database";
    case "storage_migration_failed":
      return "Folio cannot update its database to this version";
    case "storage_query_failed":
      return "Folio could not read its database";
    case "disk_full":
      return "Your disk is full";
    case "invalid_input":
      return "Folio refused some data";
    case "keychain_unavailable":
      return "Your system keychain is locked or unavailable";
    case "plan_not_found":
      return "That plan is no longer in Folio";
    case "connection_not_found":
      return "That connection is no longer in Folio";
    case "record_not_found":
      return "That record is no longer on this computer";
    case "invalid_plan":
      return "That plan's details are not usable";
    case "demo_unavailable":
      return "The demo plan could not start";
    case "plan_unreachable":
      return "The plan's server could not be reached";
    case "not_smart_server":
      return "That address is not a health plan's SMART on FHIR server";
    case "plan_response_invalid":
      return "The plan sent an answer Folio cannot read";
    case "member_denied":
      return "You did not allow access at the plan";
    case "state_mismatch":
      return "Folio ignored a sign-in answer it did not ask for";
    case "issuer_mismatch":
      return "The sign-in answer came from the wrong server";
    case "authorization_failed":
      return "The plan refused the sign-in";
    case "token_error":
      return "The plan's sign-in service refused Folio";
    case "scopes_refused":
      return "The plan shared none of your records";
    case "reconnect_needed":
      return "Connect this plan again";
    case "sign_in_timed_out":
      return "The sign-in was not finished in time";
    case "sign_in_cancelled":
      return "The sign-in was cancelled";
    case "export_target_exists":
      return "That file or folder already exists";
    case "export_failed":
      return "The export could not be written";
    case "import_failed":
      return "That file could not be imported";
    case "database_key_missing":
      return "The key to your records is missing";
    case "passphrase_to_choose":
      return "Choose a passphrase for your records";
    case "passphrase_needed":
      return "Your records are locked";
    case "wrong_passphrase":
      return "That passphrase does not open your records";
    case "passphrase_too_short":
      return "That passphrase is too short";
    case "sync_already_running":
      return "This plan is already downloading";
    case "internal":
      return "Something went wrong inside Folio";
    case "ipc_unavailable":
      return "Folio's window lost touch with the app";
  }
}

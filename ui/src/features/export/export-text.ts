// Words and request-building for the export screen. Pure: no IPC, no DOM.
import type { ExportFormat, ExportRequest, ExportSummary } from "../../ipc";
import { countOf, formatBytes } from "../../lib/format";

/** The member's choices on the screen. */
export interface ExportChoices {
  format: ExportFormat;
  connections: string[];
  allConnections: boolean;
  types: string[];
  from: string;
  until: string;
  includeSensitive: boolean;
  /** How many sources (plans and files) there are. */
  available: number;
}

/** The request for these choices; `null` with a reason when they cannot be exported. */
export function buildRequest(c: ExportChoices): { request: ExportRequest } | { problem: string } {
  if (!c.allConnections && c.connections.length === 0) return { problem: "Choose at least one plan, or all of them." };
  if (c.from && c.until && c.from >= c.until) return { problem: "The start date must be before the end date." };
  if ((c.format === "ips" || c.format === "pdf") && (c.allConnections ? c.available : c.connections.length) > 1)
    return { problem: "A patient summary is about one person: choose the one plan (or file) to summarize." };
  return {
    request: {
      format: c.format,
      connections: c.allConnections ? [] : c.connections,
      types: c.types,
      from: c.from || null,
      until: c.until || null,
      includeSensitive: c.includeSensitive,
      overwrite: false,
    },
  };
}

/** What was written, in a sentence. */
export function doneText(s: ExportSummary, includeSensitive: boolean, locale?: string): string {
  const what =
    s.format === "bundle"
      ? "one FHIR Bundle file"
      : s.format === "ips"
        ? "an International Patient Summary (FHIR document)"
        : s.format === "pdf"
          ? "a printable summary (PDF)"
          : `${countOf(s.files, "file")} (NDJSON and a manifest)`;
  const plans = countOf(s.sources, "plan");
  const sensitive = includeSensitive ? "Records marked sensitive are included." : "Records marked sensitive were left out.";
  if (s.format === "pdf") return `Saved ${what} listing ${countOf(s.resources, "record", "records", locale)} to ${s.path}, ${formatBytes(s.bytes, locale)}. ${sensitive}`;
  return `Exported ${countOf(s.resources, "record", "records", locale)} from ${plans} to ${s.path}: ${what}, ${formatBytes(s.bytes, locale)}. ${sensitive}`;
}

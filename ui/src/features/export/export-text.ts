// Words and request-building for the export screen. Pure: no IPC, no DOM.
import type { ExportFormat, ExportRequest, ExportSummary } from "../../ipc";
import { formatBytes } from "../../lib/format";
import { t } from "../../lib/i18n.svelte";

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
  if (!c.allConnections && c.connections.length === 0) return { problem: t("export.noPlan") };
  if (c.from && c.until && c.from >= c.until) return { problem: t("export.badDates") };
  if ((c.format === "ips" || c.format === "pdf") && (c.allConnections ? c.available : c.connections.length) > 1)
    return { problem: t("export.onePerson") };
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
  const what = t("export.what", { format: s.format, files: s.files });
  const sensitive = includeSensitive ? t("export.sensitiveIncluded") : t("export.sensitiveLeft");
  const size = formatBytes(s.bytes, locale);
  if (s.format === "pdf") return t("export.savedPdf", { what, count: s.resources, path: s.path, size, sensitive });
  return t("export.exported", { count: s.resources, plans: s.sources, path: s.path, what, size, sensitive });
}

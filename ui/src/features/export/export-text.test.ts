import { describe, expect, it } from "vitest";
import { buildRequest, doneText, type ExportChoices } from "./export-text";

const base: ExportChoices = { format: "bundle", connections: [], allConnections: true, types: [], from: "", until: "", includeSensitive: false, available: 2 };

describe("export choices", () => {
  it("become a request: all plans as an empty list, empty dates as none, never overwrite", () => {
    expect(buildRequest(base)).toEqual({
      request: { format: "bundle", connections: [], types: [], from: null, until: null, includeSensitive: false, overwrite: false },
    });
    const some = buildRequest({ ...base, allConnections: false, connections: ["c-1"], from: "2024-01-01", includeSensitive: true });
    expect(some).toMatchObject({ request: { connections: ["c-1"], from: "2024-01-01", includeSensitive: true } });
  });

  it("refuse what cannot be exported", () => {
    expect(buildRequest({ ...base, allConnections: false })).toEqual({ problem: "Choose at least one plan, or all of them." });
    expect(buildRequest({ ...base, from: "2025-01-01", until: "2024-01-01" })).toHaveProperty("problem");
    expect(buildRequest({ ...base, format: "ips" })).toEqual({
      problem: "A patient summary is about one person: choose the one plan (or file) to summarize.",
    });
    expect(buildRequest({ ...base, format: "ips", available: 1 })).toHaveProperty("request");
    expect(buildRequest({ ...base, format: "pdf" })).toHaveProperty("problem");
    expect(buildRequest({ ...base, format: "ips", allConnections: false, connections: ["c-2"] })).toMatchObject({ request: { connections: ["c-2"] } });
  });

  it("say what was written", () => {
    const text = doneText({ path: "/home/ana/folio-history.json", format: "bundle", resources: 1342, sources: 2, bytes: 2_400_000, files: 1 }, false, "en-US");
    expect(text).toBe("Exported 1,342 records from 2 plans to /home/ana/folio-history.json: one FHIR Bundle file, 2.4 MB. Records marked sensitive were left out.");
    expect(doneText({ path: "/h.pdf", format: "pdf", resources: 79, sources: 1, bytes: 11836, files: 1 }, false, "en-US")).toBe(
      "Saved a printable summary (PDF) listing 79 records to /h.pdf, 11.8 KB. Records marked sensitive were left out.",
    );
    expect(doneText({ path: "/x", format: "ndjson", resources: 1, sources: 1, bytes: 10, files: 4 }, true, "en-US")).toMatch(/4 files \(NDJSON and a manifest\).*included/);
  });
});

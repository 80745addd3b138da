// No words a member reads are written into a .svelte file: every text node, every attribute a
// person or a screen reader reads (aria-label, title, placeholder, alt…) and every sentence-like
// string inside the markup's expressions comes from a message (t("…")). Parsed with Svelte's
// own parser, so a word hidden in any part of the markup is found.
import { parse } from "svelte/compiler";

/** Every component's source, by its path under src/ (read by Vite when the test loads). */
const SOURCES = import.meta.glob<string>("../**/*.svelte", { query: "?raw", import: "default", eager: true });

/** Attributes whose text is shown or read aloud. */
const READ_ATTRIBUTES = new Set(["aria-label", "aria-valuetext", "aria-description", "aria-placeholder", "aria-roledescription", "title", "placeholder", "alt", "label"]);

/** Words that are the same in every language (product and standard names, symbols). */
const ALLOWED = new Set(["Folio", "FHIR", "JWKS", "JSON", "NDJSON", "SQLCipher", "AES-256", "PDF", "IPS"]);

/** Whether a piece of text has words in it that are not on the allow-list. */
function hasWords(text: string): boolean {
  return text
    .split(/[^A-Za-z0-9-]+/)
    .filter((w) => /[A-Za-z]{2,}/.test(w))
    .some((w) => !ALLOWED.has(w));
}

/** An example address ("https://…/fhir"): the same in every language. */
function isAddress(text: string): boolean {
  return /^[a-z][a-z0-9+.-]*:\/\/\S*$/.test(text.trim());
}

/** A string in an expression that reads like a sentence or a label (letters and a space). */
function sentenceLike(text: string): boolean {
  if (!/[A-Za-z]{2,}/.test(text) || !hasWords(text)) return false;
  // A label is a capitalised word ("Dark"); FHIR type names passed to functions are not shown.
  return /\s/.test(text.trim()) || (/^[A-Z][a-z]/.test(text) && !FHIR_TYPES.has(text));
}

/** FHIR resource types, named in code (links, filters), never shown as words. */
const FHIR_TYPES = new Set(["Encounter", "ExplanationOfBenefit", "Observation", "Patient", "Coverage", "Condition", "MedicationRequest", "Immunization", "AllergyIntolerance", "Procedure", "DiagnosticReport", "DocumentReference", "Organization", "Practitioner"]);

type Node = { type?: string; [key: string]: unknown };

/** Every literal text a member could read in a component's markup, with where it is. */
export function literalTexts(source: string): string[] {
  const ast = parse(source, { modern: true });
  const found: string[] = [];
  const visit = (node: unknown, inAttribute: string | null): void => {
    if (Array.isArray(node)) {
      for (const n of node) visit(n, inAttribute);
      return;
    }
    if (typeof node !== "object" || node === null) return;
    const n = node as Node;
    switch (n.type) {
      case "Text":
        if (typeof n.data === "string" && (inAttribute === null || READ_ATTRIBUTES.has(inAttribute)) && hasWords(n.data) && !isAddress(n.data))
          found.push(n.data.trim());
        return;
      case "Comment":
        return;
      case "Attribute": {
        const name = String(n.name);
        const read = READ_ATTRIBUTES.has(name);
        // Classes, ids, addresses, test ids and other machine values are not read by anyone.
        visit(n.value, read ? name : `machine:${name}`);
        return;
      }
      case "ClassDirective":
      case "StyleDirective":
        return;
      case "Literal":
        if (typeof n.value === "string" && (inAttribute === null || READ_ATTRIBUTES.has(inAttribute)) && sentenceLike(n.value))
          found.push(n.value);
        return;
      case "TemplateElement": {
        const cooked = (n.value as { cooked?: string } | undefined)?.cooked ?? "";
        // A piece of a sentence has a space or a capital; a message id's prefix ("language.") has neither.
        if ((inAttribute === null || READ_ATTRIBUTES.has(inAttribute)) && hasWords(cooked) && /\s|^[A-Z]/.test(cooked)) found.push(cooked);
        return;
      }
      default:
        break;
    }
    for (const [key, value] of Object.entries(n)) {
      if (key === "start" || key === "end" || key === "loc" || key === "metadata") continue;
      // A call's arguments are checked (t's id has no space); the callee is a name, not text.
      visit(value, inAttribute);
    }
  };
  visit(ast.fragment, null);
  return found;
}

describe("user-visible text in .svelte files", () => {
  it("comes from the message files only", () => {
    const problems: string[] = [];
    const files = Object.entries(SOURCES);
    expect(files.length).toBeGreaterThanOrEqual(20);
    for (const [file, source] of files) {
      for (const text of literalTexts(source)) problems.push(`${file.replace(/^\.\.\//, "")}: ${JSON.stringify(text)}`);
    }
    expect(problems).toEqual([]);
  });

  it("would catch a text node, a read attribute and a sentence in an expression", () => {
    expect(literalTexts(`<p>Hello there</p>`)).toEqual(["Hello there"]);
    expect(literalTexts(`<button aria-label="Close it">x</button>`)).toEqual(["Close it"]);
    expect(literalTexts(`<input placeholder="Plan name" />`)).toEqual(["Plan name"]);
    expect(literalTexts(`<p>{ok ? "All good" : t("a.b")}</p>`)).toEqual(["All good"]);
    expect(literalTexts("<p>{`Saved ${n} files`}</p>")).toEqual(["Saved ", " files"]);
    expect(literalTexts(`<p title={"Back (Alt+Left)"}>{t("x")}</p>`)).toEqual(["Back (Alt+Left)"]);
    expect(literalTexts(`<span>{{ light: "Light", dark: "Dark" }[v]}</span>`)).toEqual(["Light", "Dark"]);
  });

  it("leaves alone machine values, messages and allowed names", () => {
    expect(literalTexts(`<p class="small muted" data-testid="a b" id="x">{t("records.saved", { size })}</p>`)).toEqual([]);
    expect(literalTexts(`<span class={\`status \${s}\`}>{s === "active" ? t("a") : ""}</span>`)).toEqual([]);
    expect(literalTexts(`<a href={recordHref(c, "Encounter", id)}>{t("a")}</a>`)).toEqual([]);
    expect(literalTexts(`<h1>Folio</h1><p>FHIR · JSON</p>`)).toEqual([]);
    expect(literalTexts(`<!-- a comment with words --><p>{n} · {m}</p>`)).toEqual([]);
    expect(literalTexts(`<input placeholder="https://…/fhir" /><p>{t(\`language.\${l}\`)}</p>`)).toEqual([]);
  });
});

// The message files agree: every key in both languages, each message valid ICU, with the same
// placeholders and the same plural/select arguments (a translator may reword, never drop a value).
import { parse, TYPE, type MessageFormatElement } from "@formatjs/icu-messageformat-parser";
import en from "./en.json";
import es from "./es.json";

type Messages = Record<string, string>;

/** Each argument a message uses, with its kind ("argument", "number", "plural", "select"…). */
export function argumentsOf(message: string): string[] {
  const found = new Set<string>();
  const walk = (elements: MessageFormatElement[]): void => {
    for (const e of elements) {
      switch (e.type) {
        case TYPE.argument:
          found.add(`${e.value}:argument`);
          break;
        case TYPE.number:
          found.add(`${e.value}:number`);
          break;
        case TYPE.date:
        case TYPE.time:
          found.add(`${e.value}:date`);
          break;
        case TYPE.plural:
          found.add(`${e.value}:${e.pluralType === "ordinal" ? "selectordinal" : "plural"}`);
          for (const option of Object.values(e.options)) walk(option.value);
          break;
        case TYPE.select:
          found.add(`${e.value}:select`);
          for (const option of Object.values(e.options)) walk(option.value);
          break;
        case TYPE.tag:
          found.add(`${e.value}:tag`);
          walk(e.children);
          break;
        default:
          break;
      }
    }
  };
  walk(parse(message, { requiresOtherClause: true }));
  return [...found].sort();
}

/** What differs between two message files; empty when they agree. */
export function differences(a: Messages, b: Messages, names: [string, string]): string[] {
  const problems: string[] = [];
  for (const key of Object.keys(a)) if (!(key in b)) problems.push(`${key}: missing in ${names[1]}`);
  for (const key of Object.keys(b)) if (!(key in a)) problems.push(`${key}: missing in ${names[0]} (extra in ${names[1]})`);
  for (const [key, text] of Object.entries(a)) {
    const other = b[key];
    if (other === undefined) continue;
    if (text.trim() === "") problems.push(`${key}: empty in ${names[0]}`);
    if (other.trim() === "") problems.push(`${key}: empty in ${names[1]}`);
    let left: string[];
    let right: string[];
    try {
      left = argumentsOf(text);
      right = argumentsOf(other);
    } catch (error) {
      problems.push(`${key}: not valid ICU (${String(error)})`);
      continue;
    }
    if (left.join() !== right.join()) problems.push(`${key}: ${names[0]} has {${left.join(", ")}}, ${names[1]} has {${right.join(", ")}}`);
  }
  return problems;
}

describe("the message files", () => {
  it("have the same keys, placeholders and plural arguments in English and Spanish", () => {
    expect(differences(en, es, ["en.json", "es.json"])).toEqual([]);
  });

  it("would catch a missing key, an extra key, a lost placeholder or a plural turned into text", () => {
    const base = { a: "{count, plural, one {# claim} other {# claims}}", b: "Hello {name}", c: "Same" };
    const withoutC: Messages = { a: base.a, b: base.b };
    expect(differences(base, withoutC, ["x", "y"])).toEqual(["c: missing in y"]);
    expect(differences(withoutC, base, ["x", "y"])).toEqual(["c: missing in x (extra in y)"]);
    expect(differences(base, { ...base, b: "Hola" }, ["x", "y"])).toEqual(["b: x has {name:argument}, y has {}"]);
    expect(differences(base, { ...base, a: "{count} reclamaciones" }, ["x", "y"])).toEqual([
      "a: x has {count:plural}, y has {count:argument}",
    ]);
    expect(differences(base, { ...base, a: "{count, plural, one {# x}}" }, ["x", "y"])[0]).toMatch(/not valid ICU/);
  });

  it("translate the words, not only copy them (most Spanish messages differ from the English)", () => {
    const words = (text: string | undefined): string => (text ?? "").replace(/\{[^{}]*\}/g, "");
    const same = Object.keys(en).filter(
      (k) => (en as Messages)[k] === (es as Messages)[k] && /[a-z]/i.test(words((en as Messages)[k])) && !SAME_ON_PURPOSE.has(k),
    );
    expect(same).toEqual([]);
  });
});

/** Messages whose Spanish is the English on purpose (names, codes, cognates). */
const SAME_ON_PURPOSE = new Set([
  "nav.folio",
  "language.en",
  "language.es",
  "format.bytes",
  "format.size",
  "status.plansCount",
  "flag.normal",
  "balance.individual",
  "claim.kind.dental",
  "claims.total",
  "claims.plan",
  "records.plan",
]);

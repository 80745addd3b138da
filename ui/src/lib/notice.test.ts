import { noticeWords } from "./notice";

describe("noticeWords", () => {
  it("names each kind that arrived, with its count", () => {
    expect(noticeWords({ claims: 3, results: 4, priorAuthorizations: 1 })).toBe(
      "3 new claims, 4 new results, and 1 prior-authorization decision",
    );
    expect(noticeWords({ claims: 0, results: 1, priorAuthorizations: 0 })).toBe("1 new result");
    expect(noticeWords({ claims: 1200, results: 0, priorAuthorizations: 2 })).toBe(
      "1,200 new claims and 2 prior-authorization decisions",
    );
  });
});

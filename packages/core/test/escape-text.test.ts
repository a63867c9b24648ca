import { describe, expect, it } from "vitest";
import { ESCAPED_TEXT_MAX_LENGTH, escapeText } from "../src/shared/escape-text.js";

describe("escapeText", () => {
  it("keeps printable text, other scripts and emoji as they are", () => {
    for (const text of ["msg_2fQ", "Quarterly report.pdf", "Käse ü 東京 🚀", "a\\nb", ""]) {
      expect(escapeText(text)).toBe(text);
    }
  });

  it("escapes every C0 control, DEL and every C1 control", () => {
    for (let code = 0; code <= 0x9f; code += 1) {
      if (code >= 0x20 && code < 0x7f) continue;
      const escaped = escapeText(`a${String.fromCharCode(code)}b`);
      expect(escaped).toBe(`a\\x${code.toString(16).padStart(2, "0")}b`);
    }
  });

  it("escapes line separators and bidirectional overrides", () => {
    const cases: Record<string, string> = {
      "\u2028": "\\u2028",
      "\u2029": "\\u2029",
      "\u202e": "\\u202e",
      "\u2066": "\\u2066",
      "\u2069": "\\u2069",
    };
    for (const [character, escaped] of Object.entries(cases)) expect(escapeText(`x${character}y`)).toBe(`x${escaped}y`);
  });

  it("leaves nothing a terminal or a line reader acts on", () => {
    const hostile = "id\r\n[INFO] accepted\u001b[2J\u009b31m\u0085\u2028end";
    const escaped = escapeText(hostile);
    expect(escaped).toBe("id\\x0d\\x0a[INFO] accepted\\x1b[2J\\x9b31m\\x85\\u2028end");
    const codes = [...escaped].map((character) => character.charCodeAt(0));
    expect(codes.every((code) => code >= 0x20 && code < 0x7f)).toBe(true);
  });
});

describe("escapeText's bound", () => {
  it("cuts text past the bound and counts what it left out", () => {
    expect(escapeText("x".repeat(ESCAPED_TEXT_MAX_LENGTH))).toBe("x".repeat(ESCAPED_TEXT_MAX_LENGTH));
    const long = `${"a".repeat(ESCAPED_TEXT_MAX_LENGTH)}\n${"b".repeat(1 << 20)}`;
    expect(escapeText(long)).toBe(`${"a".repeat(ESCAPED_TEXT_MAX_LENGTH)}…(${(1 << 20) + 1} more characters)`);
    expect(escapeText("ab\ncd", 3)).toBe("ab\\x0a…(2 more characters)");
  });
});

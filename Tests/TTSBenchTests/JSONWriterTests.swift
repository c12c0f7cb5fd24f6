@testable import TTSCore
@testable import TTSBench
import Foundation
import Testing
import TTSSeams

/// The one JSON writer of the tool's outputs: its layouts, key order, number styles, escaping of
/// hostile strings, and the key-path escapes (verbatim text, a published key order).
@Suite struct JSONWriterTests {
    static let sample: JSONValue = .object([
        "b": .array([.integer(1), .double(2.5), .null]),
        "a": .string("x"),
        "c": .object(["z": .bool(true), "y": .double(0.1)]),
    ])

    @Test func compactIsCanonicalJSON() {
        let w = JSONWriter(layout: .compact)
        #expect(w.string(Self.sample) == Self.sample.canonicalString)
        #expect(w.string(Self.sample) == #"{"a":"x","b":[1,2.5,null],"c":{"y":0.1,"z":true}}"#)
    }

    @Test func lineLayoutSpacesAfterCommasAndColons() {
        #expect(JSONWriter(layout: .line).string(Self.sample) == #"{"a": "x", "b": [1, 2.5, null], "c": {"y": 0.1, "z": true}}"#)
        #expect(JSONWriter(layout: .line).string(.array([])) == "[]")
        #expect(JSONWriter(layout: .line).string(.object([:])) == "{}")
    }

    @Test func documentLayoutPutsTopKeysAndArraysOfObjectsOnTheirOwnLines() {
        let doc: JSONValue = .object([
            "rows": .array([.object(["n": .integer(1), "v": .double(0.5)]), .object(["n": .integer(2), "v": .null])]),
            "empty": .array([]),
            "names": .array([.string("a"), .string("b")]),
            "mixed": .array([.object([:]), .integer(3)]),
            "inner": .object(["k": .array([.object(["x": .integer(1)])])]),
            "title": .string("t"),
        ])
        let expected = """
        {
          "empty": [],
          "inner": {"k": [{"x": 1}]},
          "mixed": [{}, 3],
          "names": ["a", "b"],
          "rows": [
            {"n": 1, "v": 0.5},
            {"n": 2, "v": null}
          ],
          "title": "t"
        }

        """
        #expect(JSONWriter(layout: .document).string(doc) == expected)
        #expect(JSONWriter(layout: .document).string(.object([:])) == "{}\n")
        #expect(JSONWriter(layout: .document).string(.array([.integer(1)])) == "[1]\n")
        // The text is JSON and reads back as the value.
        #expect(JSONValue.parse(Array(expected.utf8)) == doc)
    }

    @Test func keysAreSortedWhateverTheInsertionOrder() {
        var o: [String: JSONValue] = [:]
        for key in ["seeds_generated", "seeds", "item_test", "items", "model_label", "model", "B", "a", "é", "_"] { o[key] = .null }
        let text = JSONWriter(layout: .compact).string(.object(o))
        #expect(text == #"{"B":null,"_":null,"a":null,"item_test":null,"items":null,"model":null,"model_label":null,"seeds":null,"seeds_generated":null,"é":null}"#)
    }

    @Test func aPublishedOrderListsKeysFirstAndSortsTheRest() {
        let value: JSONValue = .object([
            "z": .integer(1), "line": .integer(2), "a": .integer(3), "correct": .bool(true),
            "seeds": .object(["b/x": .integer(1), "a/x": .integer(2)]),
        ])
        let text = JSONWriter(layout: .line).string(value, order: [[]: ["line", "correct", "absent"], ["seeds"]: ["b/x", "a/x"]])
        #expect(text == #"{"line": 2, "correct": true, "a": 3, "seeds": {"b/x": 1, "a/x": 2}, "z": 1}"#)
    }

    @Test func verbatimTextReplacesTheValueAtItsKeyPath() {
        let value: JSONValue = .object([
            "adastop": .object(["comparisons": .array([.array([.string("a"), .string("b")])]), "alpha": .double(0.05)]),
            "seeds": .object(["suite_seed": .null]),
            "list": .array([.object(["adastop": .integer(1)])]),
        ])
        let text = JSONWriter(layout: .document).string(value, verbatim: [
            ["adastop", "comparisons"]: #"[["a","b"]]"#, ["seeds", "suite_seed"]: "18446744073709551615",
            ["list", "adastop"]: "\"not in arrays\"",
        ])
        #expect(text == """
        {
          "adastop": {"alpha": 0.05, "comparisons": [["a","b"]]},
          "list": [
            {"adastop": 1}
          ],
          "seeds": {"suite_seed": 18446744073709551615}
        }

        """)
    }

    @Test func roundedNumbersTrimToSixDecimalsAndDropIntegralFractions() {
        let six = JSONWriter.Numbers.decimals(6)
        #expect(six.spell(348.42458333333) == "348.424583")
        #expect(six.spell(696.8491666666) == "696.849167")
        #expect(six.spell(0.5) == "0.5")
        #expect(six.spell(1) == "1")
        #expect(six.spell(2.0000001) == "2")
        #expect(six.spell(-0.0000001) == "0")  // no "-0"
        #expect(six.spell(-3.25) == "-3.25")
        #expect(six.spell(0.000005) == "5e-06")
        #expect(six.spell(1e20) == "1e+20")
        #expect(six.spell(.nan) == "null")
        #expect(six.spell(-.infinity) == "null")
        #expect(JSONWriter(layout: .line, numbers: six).string(.array([.double(0.1234567), .integer(7), .double(3)])) == "[0.123457, 7, 3]")
    }

    @Test func shortestNumbersAreCanonical() {
        let s = JSONWriter.Numbers.shortest
        #expect(s.spell(1) == "1.0")
        #expect(s.spell(0.1) == "0.1")
        #expect(s.spell(0.05) == "0.05")
        #expect(s.spell(1e300) == "1e+300")
        #expect(s.spell(.infinity) == "null")
        #expect(JSONWriter(layout: .compact).string(.double(.nan)) == "null")
    }

    @Test func hostileStringsAreEscapedAndReadBack() throws {
        let controls = String(String.UnicodeScalarView((0..<0x20).map { Unicode.Scalar(UInt8($0)) }))
        // Invalid UTF-8 (a lone surrogate's bytes, a stray continuation byte) is repaired when
        // the String is made; a lone surrogate escape in JSON text reads as U+FFFD.
        let invalid = String(decoding: [0x61, 0xED, 0xA0, 0x80, 0x80, 0x62] as [UInt8], as: UTF8.self)
        let lone = try #require(JSONValue.parse(Array(#""x\ud800y\udc00""#.utf8))?.stringValue)
        let strings = [controls, "quote \" backslash \\ slash /", "del \u{7F} ls \u{2028} ps \u{2029}", "emoji 👩‍🔬 é 漢",
                       invalid, lone, "</script><!--", String(repeating: "\\\"", count: 50)]
        for s in strings {
            for layout in [JSONWriter.Layout.compact, .line, .document] {
                let value: JSONValue = .object([s: .array([.string(s), .object([s: .string(s)])])])
                let text = JSONWriter(layout: layout).string(value)
                // No raw control character survives: every one is escaped.
                #expect(!text.unicodeScalars.contains { $0.value < 0x20 && $0 != "\n" })
                #expect(JSONValue.parse(Array(text.utf8)) == value)
                // Foundation's parser reads it too.
                let parsed = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any]
                #expect(parsed?.keys.first == s)
            }
        }
        #expect(JSONWriter(layout: .compact).string(.string(controls.prefix(11) + "")) == #""\u0000\u0001\u0002\u0003\u0004\u0005\u0006\u0007\u0008\t\n""#)
        #expect(JSONWriter(layout: .compact).string(.string("\r\u{1F}")) == #""\r\u001f""#)
        #expect(lone == "x\u{FFFD}y\u{FFFD}")
        #expect(invalid.unicodeScalars.contains("\u{FFFD}"))
    }

    /// `verify --pairs` lines keep the key order they were published with (`line` first), and a
    /// hostile reason or answer is escaped.
    @Test func verifyLinesKeepTheirPublishedOrder() {
        let hostile = "a\"b\\c\n\u{1}\u{2028}é"
        #expect(AnswerCheck.jsonLine(line: 3, verdict: Verdict(correct: nil, detail: hostile))
            == #"{"line": 3, "correct": false, "reason": "a\"b\\c\n\u0001\#u{2028}é"}"#)
        let result = AnswerCheck.Result(verdict: Verdict(correct: true, detail: "equivalent"), answer: hostile, rule: "boxed")
        #expect(AnswerCheck.jsonLine(line: 12, result: result)
            == #"{"line": 12, "correct": true, "reason": "equivalent", "rule": "boxed", "answer": "a\"b\\c\n\u0001\#u{2028}é"}"#)
        let none = AnswerCheck.Result(verdict: Verdict(correct: false, detail: "no answer extracted"), answer: nil, rule: "none")
        #expect(AnswerCheck.jsonLine(line: 1, result: none)
            == #"{"line": 1, "correct": false, "reason": "no answer extracted", "rule": "none", "answer": null}"#)
    }
}

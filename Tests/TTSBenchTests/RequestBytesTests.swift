@testable import TTSSuite
@testable import TTSCore
import Foundation
import Testing
@testable import TTSModels
@testable import TTSSeams

/// The request bodies and cache entries written directly (without building a JSON dictionary)
/// must be the canonical bytes of the dictionary, byte for byte: the cache keys of every
/// recorded database depend on them.
@Suite struct RequestBytesTests {
    static let texts = ["Compute $1 + 2$.", "quote \" and backslash \\ and / slash", "tab\tnew\nline\rcr \u{01}\u{1f}\u{7f}",
                        "ünïcødé — 数学 🧮", "", "\\boxed{\\frac{1}{2}}"]

    @Test func bodyBytesAreTheCanonicalBytesOfTheBody() throws {
        var checked = 0
        for api in [OpenAIModelParameters.API.chat, .completions] {
            for sampling in [OpenAIModelParameters.Sampling.plain, .server] {
                for logprobs in [nil, 3] as [Int?] {
                    for (requestStop, modelStop) in [([], []), (["\n\n"], ["</s>", "\n\n"]), (["Step"], [])] as [([String], [String])] {
                        for continuation in [OpenAIModelParameters.Continuation.completions, .chatPrefix] {
                            var p = OpenAIModelParameters(baseURLs: ["http://x/v1"], model: "Qwen/Qwen2.5-\"Math\"", api: api, stop: modelStop)
                            p.sampling = sampling
                            p.logprobs = logprobs
                            p.continuation = continuation
                            let client = try OpenAIClient(name: "m", parameters: p, cache: nil)
                            for (t, text) in Self.texts.enumerated() {
                                var messages = [ChatMessage(role: "system", content: Self.texts[(t + 1) % Self.texts.count]),
                                                ChatMessage(role: "user", content: text)]
                                if t % 2 == 0 { messages.append(ChatMessage(role: "assistant", content: "Step 1: " + text)) }
                                for (temperature, topP) in [(0.0, 1.0), (0.7, 0.95), (1.0, 1e-7), (1.3, 0.123456789)] {
                                    for n in [1, 4] {
                                        var request = GenerationRequest(messages: messages, temperature: temperature, topP: topP,
                                                                        maxTokens: 1 + t * 1000, seed: UInt64(t) << 40 | 77, n: n)
                                        request.stop = requestStop
                                        let seed = UInt64(t) &* 0x9E37_79B9_7F4A_7C15
                                        let expected = JSONValue.object(client.body(request, seed: seed, n: n)).canonicalBytes
                                        let written = client.bodyBytes(request, seed: seed, n: n)
                                        #expect(written == expected, "\(String(decoding: written, as: UTF8.self)) != \(String(decoding: expected, as: UTF8.self))")
                                        checked += 1
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        #expect(checked == 2 * 2 * 2 * 3 * 2 * Self.texts.count * 4 * 2)
    }

    @Test func extraBodyFieldsTakeTheDictionarysWay() throws {
        var p = OpenAIModelParameters(baseURLs: ["http://x/v1"], model: "m", api: .chat)
        p.extraBody = ["top_p": .double(0.5), "aaa": .string("first"), "zzz": .array([.int(1), .null])]
        let client = try OpenAIClient(name: "m", parameters: p, cache: nil)
        let request = GenerationRequest(messages: [ChatMessage(role: "user", content: "hi")], temperature: 0.8, seed: 1)
        let written = String(decoding: client.bodyBytes(request, seed: 1, n: 1), as: UTF8.self)
        #expect(written == JSONValue.object(client.body(request, seed: 1, n: 1)).canonicalString)
        #expect(written.hasPrefix(#"{"aaa":"first","#))
        #expect(written.contains(#""top_p":0.5"#))
    }

    @Test func cachedChoiceBytesAreTheCanonicalBytesOfItsJSON() throws {
        for text in Self.texts {
            for (id, logprobs) in [(nil, nil), ("chatcmpl-1", nil), ("x\"y", #"{"content":[]}"#)] as [(String?, String?)] {
                for latency in [0.0, 12.5, 1234.000001] {
                    let choice = CachedChoice(text: text, finishReason: "stop", promptTokens: 31, completionTokens: text.count,
                                              tokensEstimated: latency > 100, latencyMs: latency, responseID: id, logprobs: logprobs)
                    #expect(choice.canonicalBytes == choice.json.canonicalBytes)
                    let back = try #require(CachedChoice(bytes: choice.canonicalBytes))
                    #expect(back.text == text && back.responseID == id && back.logprobs == logprobs && back.latencyMs == latency)
                }
            }
        }
    }

    /// The escaping rule the canonical form has always had, one byte at a time.
    static func referenceEscape(_ s: String) -> [UInt8] {
        var out: [UInt8] = [34]
        for byte in s.utf8 {
            switch byte {
            case 34: out += [92, 34]
            case 92: out += [92, 92]
            case 10: out += [92, 110]
            case 13: out += [92, 114]
            case 9: out += [92, 116]
            case 0..<0x20: out += Array(String(format: "\\u%04x", Int(byte)).utf8)
            default: out.append(byte)
            }
        }
        return out + [34]
    }

    @Test func stringsAreEscapedAsBeforeAndRoundTrip() throws {
        var strings = Self.texts
        var rng = TestRNG(seed: 42)
        let alphabet: [Character] = ["a", "\"", "\\", "\n", "\u{0}", "\u{1b}", "é", "数", "🧮", " ", "/", "\t"]
        for _ in 0..<300 {
            strings.append(String((0..<Int(rng.next() % 40)).map { _ in alphabet[Int(rng.next() % UInt64(alphabet.count))] }))
        }
        for s in strings {
            var out: [UInt8] = []
            JSONValue.writeString(s, into: &out)
            #expect(out == Self.referenceEscape(s), "\(s.debugDescription)")
            #expect(JSONValue.parse(out) == .string(s))
        }
    }

    @Test func numbersAreWrittenAsBefore() {
        func text(_ v: JSONValue) -> String { v.canonicalString }
        #expect(text(.int(0)) == "0")
        #expect(text(.int(7)) == "7")
        #expect(text(.int(-7)) == "-7")
        #expect(text(.int(10)) == "10")
        #expect(text(.int(Int64.min)) == "-9223372036854775808")
        #expect(text(.double(1)) == "1.0")
        #expect(text(.double(0)) == "0.0")
        #expect(text(.double(-3)) == "-3.0")
        #expect(text(.double(0.7)) == "0.7")
        #expect(text(.double(1e-7)) == "1e-07")
        #expect(text(.double(1e15)) == "1000000000000000.0")
        #expect(text(.double(1e16)) == "1e+16")
        #expect(text(.double(.nan)) == "null")
    }
}

@testable import TTSSuite
@testable import TTSCore
import Foundation
import Testing

/// Fingerprints pinned as literals: a refactor of the specs (how strategy and verifier kinds are
/// declared, parsed and encoded) must not change a single one, or every recorded database would
/// be re-run. If one of these fails, the canonical JSON of a spec changed: that is a deliberate
/// change of what is hashed, which bumps `Fingerprint.version` (docs/architecture.md#fingerprints).
@Suite struct FingerprintGoldenTests {
    static func shipped(_ name: String) throws -> Suite {
        try SuiteLoader.load(path: (packageRoot as NSString).appendingPathComponent("suites/\(name)"))
    }

    /// suite file → (suite fingerprint, system name → system fingerprint).
    static let goldens: [String: (suite: String, systems: [String: String])] = [
        "demo.yaml": (suite: "279a33bc42cc23efc372b3981d782a8959426f8d002b763bb934dbc91ad001bd", systems: [
            "weak/single": "629e14d379e1b415696a4f1dc83c34a64691cc898f036258f308a9cb2a417526",
            "weak/maj8": "e13e282ec02b5e9f8e5d06205af2b2d47bde7e09b920d340494d7e740714bf43",
            "weak/maj8~multi_temperature": "68951295bd4b9726e9b83da9b846babb7ee88dd00040ef03c25371445be54923",
            "weak/maj8~fusion": "6aedc71282f4fcf08aa2ad0996764fc8fc38f7e789523430d8fea279b1931191",
            "weak/bon8": "2f8b1b3e40e256d5443695834785d472ce49608297332901c039d6a35194ad4f",
            "mid/single": "19b58392b25dc311deab614fc06858ba6b8be9358a3a6d0a5d4d9450af2b2fb0",
            "mid/maj8": "767cac2f3cb3091f540cd678f485cf16ed9305bb2e3387405a0034c4c3fb8c3b",
            "mid/maj8~multi_temperature": "bb1e3cdd500b2bbd9f8b41d9294b96436c9ae60cc5cc4df0af69f98b37b304cd",
            "mid/maj8~fusion": "edfdd704ce1e202814ed987a939240a9ef2c7bfa4dc09ec3be497e44b126dbab",
            "mid/bon8": "2ef8e3d819853e6429cf10fcbc93b5b17e0dd61133f7241464289cf0861609c0",
            "strong/single": "5066adac46809ecb2b29ed9aeb360f2a07dca5aa9700a0f64ac2e9a9eb1b3eee",
            "strong/maj8": "6805297ee4560f831b498b124ffbeec7611702fe67c12230f0211cf2b1548467",
            "strong/maj8~multi_temperature": "71c67ee7fcd76c44a8c204e8c2619eaf7103dc677c6fa21ac3ca9dc3b53fc7c5",
            "strong/maj8~fusion": "d6c2e1f31939fb222be3530dd44faf5eec57b82eeaefc26d0c5a31c97f28ed51",
            "strong/bon8": "7b56af1910403043dc20c529964fc1950519da5a42b7fd03ed80855364abe23b",
            "mid_b/maj8": "0ae16bdf6e80e38947b4bb60632c80e7c3642906d230af7ba4ea744dae030b66",
            "mid_b/maj8~multi_temperature": "b049f99b06ecb3325f686be859aa82198df08671c7117ed15150caba6a754b03",
            "mid_b/maj8~fusion": "7f24e7c549ec9433b66643df31a909d79cc480924752b9d889af7fe235831c99",
        ]),
        "strategies.yaml": (suite: "32063641bd257f45cd37a4cf08ab34e74174133b4ced62e0a2565a20a7c13916", systems: [
            "mid/greedy": "eb872685d751cc75c547f90e3b364f49f822b9a57885c7e5ffa7be90d917b7af",
            "mid/sample": "ee2ee35498b53abaa17df58395f80ff5b11b9666d531d6e33e4c73785d6bd7dd",
            "mid/maj8": "3a961cd295a4179a3c6f2f8ec2e6d4511e37fc949177d9541b397a98bd24b360",
            "mid/bon8": "59ef674e2590929c4f8c19ca14717695749ced5d9e58a04bb3fedb3d3190f000",
            "mid/wmaj8": "f62916dcef673fd37b40318e6e1f73d7b8030151c72f3a0d10bab05c0ce0c39c",
            "mid/multiT12": "892ab69b38a7311764a0bed3dfd47fb2db444dd491978fc3af14d165e5769ebc",
            "mid/fuse8": "2eac87a7ab424695509c831facdef23dd575ed8ff47bbfeef2a2539bcf662aa8",
            "mid/fuse8s": "cef267fd02ad1245ab88d6ece39437c2d485233f6fa85261d36d1883c5c9bff7",
            "mid/ffs8": "2beff7e76e24682f54ec57fc55f00c28c7deeb6b3b18ef3bbf8a9d90907b2d18",
            "mid/ffs3of8": "a52202974f2fa54cbc27d0ed5fb0195d1e760e0084c548b3e92fafbf8f3e7493",
            "mid/lfs3of8": "b560a30651ffeab3f8fc8551b9651d42a24696b83121819b2d847f084a67aa6d",
            "mid/refine2": "a806e71529e98fa3deeb6210bc2a0f109380d9a82b0c58378bb8d191c892983b",
            "mid/pdr4": "27c7845568ee56f9a01e191de39b8d91850f00a46358ed152f94dd7a6c2e26a9",
            "mid/bf400": "4587b914acab7fcdf8f506bc1d2e89f69b782f8c097530f0e017b2781a98e587",
            "mid/bon8p": "d2bc65cafab43524868d331ec904d0f3d674bd4decb870adb61c093171888414",
            "mid/bon8w": "f9051d0250507261f05f072544fef4722cf2a1609896def22fcc43c837c5c16f",
            "mid/beam8": "13565478717c60ea12b71ac0b914ca0bdc285ce0a27953c24a5846d68bbfb8fc",
            "mid/beam8w": "3bdf146a7538a2a0dd57a39871a9e789925477631126bb92113990a93543b73c",
            "mid/dvts8": "d527d98343a18a8b3b7eba1e1dd0dcfe5d891fdfb757ce087e66b2a40d7bead0",
            "mid/dvts8w": "216a7ba9c37ceff658894eb984bfc46ee15b6a3ffcdde597cc84bec1385855ed",
            "mid/pf8": "ac7ad51d8f10fef80902748047250c7303f282cba49ed418303f0426d4c1fa82",
            "mid/pf8w": "6ece991e8cc49c85160c80a319f0351dc2db663621f2e7f6d3871003ddd4afce",
        ]),
        "tiny-real.yaml": (suite: "1340ab7be47140d14d8806aa4e4756386a79d8dbc3c14196e93bb2d6cc1b3d80", systems: [
            "tiny/single": "6f3a51af43e82c23d9d13df7551468ad5d258fdbdf306df9478313b3da5ea37d",
            "tiny/single07": "c78bd6d2be06a102ddb2210d0be69e74eff41f0ea0a7e6cb44e3e09bf10b6ad3",
            "tiny/maj8": "1cda9b8211ef6518c2ee7a635477daf28d66b1ec5c3aee3be8fbb564aba2824a",
            "tiny/bon8": "4ae4fad9b5d467cec009047e9760f4de53af17066963211b834fc6422d391df5",
            "tiny/mt8": "f37934a6b3ade47f2f0dbabd6f773323582ec8156056ed0eaed591d027276a01",
        ]),
    ]

    @Test(arguments: ["demo.yaml", "strategies.yaml", "tiny-real.yaml"])
    func shippedSuiteFingerprintsArePinned(_ file: String) throws {
        let suite = try Self.shipped(file)
        let golden = try #require(Self.goldens[file])
        #expect(suite.fingerprint == golden.suite, "suite fingerprint of \(file)")
        #expect(suite.systems.count == golden.systems.count)
        for system in suite.systems {
            #expect(system.fingerprint == golden.systems[system.name], "system \(system.name) of \(file)")
        }
    }

    /// Every verifier kind (and the leaderboard's twins), which the shipped suites do not all use.
    static let allKindsYAML = """
        suite: all-kinds
        seed: 11
        task:
          generate: {kind: arithmetic, items: 30, digits: 2}
        models:
          mid: {kind: simulated, ability: 0.5}
          strong: {kind: simulated, ability: 1.5}
        verifiers:
          exact: {kind: exact, case_sensitive: true}
          exact2: {kind: exact}
          numeric: {kind: numeric, tolerance: 0.001}
          math: {kind: math}
          code: {kind: code, timeout: 5, memory_mb: 256, max_processes: 4}
          judge: {kind: judge, model: strong, prompt: "Grade {response} against {reference}"}
          judge2: {kind: judge, model: mid}
          sim: {kind: simulated, auc: 0.75}
          oracle: {kind: oracle, using: math}
          rm: {kind: reward, base_url: "http://127.0.0.1:9", model: rm-test, class_index: 0, timeout: 5}
          rmjson: {kind: reward, api: json, base_url: "http://127.0.0.1:9/", path: /score, body: {text: "{response}"}, score: "result.scores[0]"}
        strategies:
          single: {kind: single}
          maj4: {kind: majority, n: 4, top_p: 0.9, max_tokens: 512}
          bon4: {kind: best_of_n, n: 4, scorer: rm}
          bon4j: {kind: best_of_n, n: 4, scorer: rmjson}
          wm4: {kind: weighted_majority, n: 4, scorer: sim, weighting: raw}
          wm4o: {kind: weighted_majority, n: 4, scorer: oracle}
          mt: {kind: multi_temperature, n: 7, temperatures: [1.2, 0.4], min_per_temp: 3, tau_intra: 0.5, tau_cross: 0.9, final_rule: two_stage}
          fu: {kind: fusion, n: 3, fuser: strong, fuser_temperature: 0.3, prompt: "{n}: {question} / {candidates}", max_candidate_chars: 500}
          ff: {kind: first_finish, n: 5}
          ff3: {kind: first_finish, n: 5, k: 3}
          lf: {kind: last_finish, n: 5, k: 2}
          rs: {kind: refine, rounds: 3}
          rp: {kind: refine, mode: parallel, drafts: 3, workspace: 700}
          bf: {kind: budget_forcing, budget: 300, min_tokens: 100, max_waits: 3, cue: "Hmm", answer_tokens: 20}
        systems:
          matrix: {model: [mid], strategy: [single, maj4, bon4, bon4j, wm4, wm4o, mt, fu, ff, ff3, lf, rs, rp, bf], verifier: [math]}
          list:
            - {name: e, model: mid, strategy: single, verifier: exact}
            - {name: e2, model: mid, strategy: single, verifier: exact2}
            - {name: n, model: mid, strategy: single, verifier: numeric}
            - {name: c, model: mid, strategy: single, verifier: code}
            - {name: j, model: mid, strategy: bon4, verifier: judge}
            - {name: j2, model: strong, strategy: maj4, verifier: judge2}
        leaderboard:
          variants: [multi_temperature, fusion]
          multi_temperature: {temperatures: [0.3, 0.9]}
          fusion: {fuser: strong}
        """

    static let allKindsGolden: (suite: String, systems: [String: String]) = (suite: "f911aac544f18a445d576046122157190ac22ba6d125eef74cd4fd47fb3bfdc8", systems: [
        "mid/single": "9994dde8e5ab2d2ed37a98417ee91a510b7bba2f19a0b4a97bbf9db789fd792b",
        "mid/maj4": "f065ff81c1df24cc7d083b28d7b56313146e74ce0defe510617cafed998063c6",
        "mid/maj4~multi_temperature": "28ca154030212072a717979d49fa7784325f250d72a6874ad2eb4c8ef04db577",
        "mid/maj4~fusion": "68c48327aa190520ac27a98e2be4dbda058d415b0266de0f7c1ce7d8bf5f1b0f",
        "mid/bon4": "789fc48f30165f1568486a4838f8eff359d7fa59a31e1cbed81b576c2b5421e0",
        "mid/bon4~multi_temperature": "cd4b5f584d5670817de2e62da70cbb86ef6a6baacca5e0639bd374be815c6471",
        "mid/bon4~fusion": "93fc4bc8b5409947572510acc2bb97bfe366ac2dcd3cb3c04c5a964688b3e646",
        "mid/bon4j": "63591797ee60abf99f0920fdf4c38d5177a8dd6de91ed9c78aedc9f602022e9b",
        "mid/wm4": "6660450c317d6db19317a0866d72f3224edafef8c96606aaf2aa7a4caad37952",
        "mid/wm4o": "bd4c6f1133ea609b8fe3cff8fcb3bd8f7cd4138f682edde25a4d382e0428ae81",
        "mid/mt": "15f2c07e7fa205b80eb6aae793ece2c8a936c1379e2f2eef3d836485baa34e8a",
        "mid/fu": "5167b037cbdbf7ca648d371778aee014c2b76b753428ecba6a1c8aeae93d2013",
        "mid/ff": "5a639251c532e792386a6b96de19e57ddcf67b599a30653d88da973da055f60a",
        "mid/ff3": "b03b94d8f1572b02743e5387eefa7a1481e1a4845c0adee525ffd70acf4caf99",
        "mid/lf": "eb2fde109a9480429e43bcaaadcd95490c1abba5b739f7de3d083888d88648e0",
        "mid/rs": "ac0bea117df64b0c7538e7566b695c61fb58cbd16b6cd1e7a6aa1cadd2e3317d",
        "mid/rp": "e80b41c0438843db5e7c311a0fd74e3639b30bc070113a806af1ac30edae1509",
        "mid/bf": "0b84d141837b3ed73d08cac37619d99f500c8953bce25d3bba312b32d407a476",
        "e": "6c83a9b56c46f48fc850a23c4ef086744aba19ba578b62644ac89ce494b32523",
        "e2": "231f9101d757f2600139216222b30a5dfcc802b6bee85d42e1029be93effd88b",
        "n": "22bfd2e138a86d5f855a6d8221969cfbab34a6a2abdccb22b6639ede7c981b9c",
        "c": "4e92f43d9693ee3ce9ddd4d8fcfcedd22a4eef79813b761287ef4f5b3de4a897",
        "j": "3a08e0666617245d4de18fe24c91cf468595700a912d1499b9d425cde99180fd",
        "j~multi_temperature": "8ed0d4d080cae53fa3d2aedfedccabf15b3fddf49e2438f4078eff94a814a7aa",
        "j~fusion": "f5516e44265d4cba2d1d58f4e40c75bf0a714edc30d97c67b465ccd2fe2300a6",
        "j2": "8ae7dbb0414f91eb895d13be7bda0c1268c1860ccde0cf274f4e53a5fb8996f5",
        "j2~multi_temperature": "094d2fc726d5a801be402825c23cc38eb01136b1c6e50ce0a7e94f1a789c4025",
        "j2~fusion": "32784a33eb440af2fc5d661f6197b43483f2b8f301dd6317c31138446d8d9aed",
    ])

    @Test func everyKindsFingerprintsArePinned() throws {
        let dir = try makeTempDir("fp-golden")
        let suite = try SuiteLoader.load(path: try writeFile(dir, "all-kinds.yaml", Self.allKindsYAML))
        #expect(suite.fingerprint == Self.allKindsGolden.suite)
        #expect(suite.systems.count == Self.allKindsGolden.systems.count)
        for system in suite.systems {
            #expect(system.fingerprint == Self.allKindsGolden.systems[system.name], "system \(system.name)")
        }
    }

    /// A strategy is fingerprinted as the canonical JSON of its kind, parameters and decoding
    /// settings, never its name.
    @Test func aStrategysFingerprintIsItsCanonicalJSONNotItsName() throws {
        func load(_ strategies: String, systemStrategy: String = "s") throws -> Suite {
            let dir = try makeTempDir("fp-golden")
            return try SuiteLoader.load(path: try writeFile(dir, "s.yaml", """
                suite: t
                seed: 3
                task:
                  generate: {kind: arithmetic, items: 10}
                models:
                  mid: {kind: simulated, ability: 0.5}
                verifiers:
                  math: {kind: math}
                strategies:
                \(strategies)
                systems:
                  list:
                    - {name: sys, model: mid, strategy: \(systemStrategy), verifier: math}
                """))
        }
        let base = try load("  s: {kind: majority, n: 8, temperature: 0.8}")
        let renamed = try load("  s: {kind: majority, n: 8, temperature: 0.8}\n  other: {kind: single}")
            .systems[0].fingerprint
        let renamedStrategy = try load("  vote8: {kind: majority, n: 8, temperature: 0.8}", systemStrategy: "vote8")
        let moreSamples = try load("  s: {kind: majority, n: 9, temperature: 0.8}")
        #expect(renamedStrategy.systems[0].fingerprint == base.systems[0].fingerprint)
        #expect(renamed == base.systems[0].fingerprint)
        #expect(moreSamples.systems[0].fingerprint != base.systems[0].fingerprint)
        // The suite fingerprint names strategies: a rename changes it.
        #expect(renamedStrategy.fingerprint != base.fingerprint)

        // The canonical JSON of a strategy, pinned byte for byte.
        let spec = try #require(base.strategy("s"))
        #expect(Fingerprint.canonicalJSON(StrategyFingerprint(spec)) == "{\"kind\":{\"majority\":{\"n\":8}},\"maxTokens\":2048,\"temperature\":0.8,\"topP\":1}")
    }

    /// The canonical JSON of each strategy and verifier kind, byte for byte (what the fingerprints hash).
    @Test func canonicalJSONOfEveryKindIsPinned() throws {
        let dir = try makeTempDir("fp-golden")
        let suite = try SuiteLoader.load(path: try writeFile(dir, "all-kinds.yaml", Self.allKindsYAML))
        var strategies: [String: String] = [:]
        for s in suite.strategies { strategies[s.name] = Fingerprint.canonicalJSON(StrategyFingerprint(s)) }
        var verifiers: [String: String] = [:]
        for v in suite.verifiers { verifiers[v.name] = Fingerprint.canonicalJSON(VerifierFingerprint(v)) }
        #expect(strategies == Self.strategyJSON)
        #expect(verifiers == Self.verifierJSON)
    }

    static let strategyJSON: [String: String] = [
        "single": "{\"kind\":{\"single\":{}},\"maxTokens\":2048,\"temperature\":0,\"topP\":1}",
        "maj4": "{\"kind\":{\"majority\":{\"n\":4}},\"maxTokens\":512,\"temperature\":0.8,\"topP\":0.9}",
        "bon4": "{\"kind\":{\"bestOfN\":{\"n\":4,\"scorer\":\"rm\"}},\"maxTokens\":2048,\"temperature\":0.8,\"topP\":1}",
        "bon4j": "{\"kind\":{\"bestOfN\":{\"n\":4,\"scorer\":\"rmjson\"}},\"maxTokens\":2048,\"temperature\":0.8,\"topP\":1}",
        "wm4": "{\"kind\":{\"weightedMajority\":{\"n\":4,\"scorer\":\"sim\",\"weighting\":\"raw\"}},\"maxTokens\":2048,\"temperature\":0.8,\"topP\":1}",
        "wm4o": "{\"kind\":{\"weightedMajority\":{\"n\":4,\"scorer\":\"oracle\",\"weighting\":\"sigmoid\"}},\"maxTokens\":2048,\"temperature\":0.8,\"topP\":1}",
        "mt": "{\"kind\":{\"multiTemperature\":{\"_0\":{\"finalRule\":\"two_stage\",\"minPerTemperature\":3,\"n\":7,\"tauCross\":0.9,\"tauIntra\":0.5,\"temperatures\":[0.4,1.2]}}},\"maxTokens\":2048,\"temperature\":0.4,\"topP\":1}",
        "fu": "{\"kind\":{\"fusion\":{\"_0\":{\"fuser\":\"strong\",\"fuserTemperature\":0.3,\"maxCandidateChars\":500,\"n\":3,\"prompt\":\"{n}: {question} / {candidates}\"}}},\"maxTokens\":2048,\"temperature\":0.8,\"topP\":1}",
        "ff": "{\"kind\":{\"firstFinish\":{\"n\":5}},\"maxTokens\":2048,\"temperature\":0.8,\"topP\":1}",
        "ff3": "{\"kind\":{\"firstFinish\":{\"k\":3,\"n\":5}},\"maxTokens\":2048,\"temperature\":0.8,\"topP\":1}",
        "lf": "{\"kind\":{\"lastFinish\":{\"k\":2,\"n\":5}},\"maxTokens\":2048,\"temperature\":0.8,\"topP\":1}",
        "rs": "{\"kind\":{\"refine\":{\"_0\":{\"drafts\":4,\"mode\":\"sequential\",\"rounds\":3,\"workspace\":2000}}},\"maxTokens\":2048,\"temperature\":0.8,\"topP\":1}",
        "rp": "{\"kind\":{\"refine\":{\"_0\":{\"drafts\":3,\"mode\":\"parallel\",\"rounds\":1,\"workspace\":700}}},\"maxTokens\":2048,\"temperature\":0.8,\"topP\":1}",
        "bf": "{\"kind\":{\"budgetForcing\":{\"_0\":{\"answerTokens\":20,\"budget\":300,\"cue\":\"Hmm\",\"maxWaits\":3,\"minTokens\":100}}},\"maxTokens\":280,\"temperature\":0.8,\"topP\":1}",
        "maj4~multi_temperature": "{\"kind\":{\"multiTemperature\":{\"_0\":{\"finalRule\":\"pooled\",\"minPerTemperature\":2,\"n\":4,\"tauCross\":1,\"tauIntra\":0.6,\"temperatures\":[0.3,0.9]}}},\"maxTokens\":512,\"temperature\":0.3,\"topP\":0.9}",
        "maj4~fusion": "{\"kind\":{\"fusion\":{\"_0\":{\"fuser\":\"strong\",\"fuserTemperature\":0,\"maxCandidateChars\":4000,\"n\":4,\"prompt\":\"You are given a problem and {n} candidate solutions written independently. Some of them may be wrong, and the most common answer is not always right. Compare them, check their reasoning, and write one final solution of your own: reuse correct steps, fix mistakes, and put the final answer in \\\\boxed{}.\\n\\nProblem:\\n{question}\\n\\n{candidates}\"}}},\"maxTokens\":512,\"temperature\":0.8,\"topP\":0.9}",
        "bon4~multi_temperature": "{\"kind\":{\"multiTemperature\":{\"_0\":{\"finalRule\":\"pooled\",\"minPerTemperature\":2,\"n\":4,\"tauCross\":1,\"tauIntra\":0.6,\"temperatures\":[0.3,0.9]}}},\"maxTokens\":2048,\"temperature\":0.3,\"topP\":1}",
        "bon4~fusion": "{\"kind\":{\"fusion\":{\"_0\":{\"fuser\":\"strong\",\"fuserTemperature\":0,\"maxCandidateChars\":4000,\"n\":4,\"prompt\":\"You are given a problem and {n} candidate solutions written independently. Some of them may be wrong, and the most common answer is not always right. Compare them, check their reasoning, and write one final solution of your own: reuse correct steps, fix mistakes, and put the final answer in \\\\boxed{}.\\n\\nProblem:\\n{question}\\n\\n{candidates}\"}}},\"maxTokens\":2048,\"temperature\":0.8,\"topP\":1}",
    ]
    static let verifierJSON: [String: String] = [
        "exact": "{\"exact\":{\"caseSensitive\":true}}",
        "exact2": "{\"exact\":{\"caseSensitive\":false}}",
        "numeric": "{\"numeric\":{\"tolerance\":0.001}}",
        "math": "{\"math\":{}}",
        "code": "{\"code\":{\"_0\":{\"allowNetwork\":false,\"fileSizeMB\":16,\"maxProcesses\":4,\"memoryMB\":256,\"timeout\":5}}}",
        "judge": "{\"judge\":{\"model\":\"strong\",\"prompt\":\"Grade {response} against {reference}\"}}",
        "judge2": "{\"judge\":{\"model\":\"mid\"}}",
        "sim": "{\"simulatedReward\":{\"auc\":0.75}}",
        "oracle": "{\"oracle\":{\"using\":\"math\"}}",
        "rm": "{\"reward\":{\"_0\":\"reward-endpoint(api=classify,url=http://127.0.0.1:9/classify,model=rm-test,input=\\\"{question}\\\\n\\\\n{response}\\\",class_index=0)\"}}",
        "rmjson": "{\"reward\":{\"_0\":\"reward-endpoint(api=json,url=http://127.0.0.1:9/score,body={\\\"text\\\":\\\"{response}\\\"},score=result.scores[0])\"}}",
    ]
}

import XCTest
@testable import LogwatchCore

final class RuleLoaderTests: XCTestCase {
    func testReportsEveryProblemWithFileLineAndField() throws {
        let bad = """
        id: bad-rule
        class: authz
        origin: provider
        severity: error
        title: Bad
        colour: red
        match:
          - 'ok pattern'
        fingerprint: [provider]
        entry:
          summary: ''
          meaning: A meaning that is long enough to count as one for the loader.
        examples: ['ok pattern']
        counterexamples: ['nope']
        """
        let (_, problems) = RuleLoader().load(files: [(path: "Rules/auth/bad-rule.yaml", contents: bad)])
        let text = problems.map(\.description)
        XCTAssertTrue(text.contains { $0.hasPrefix("Rules/auth/bad-rule.yaml:2: class: unknown class 'authz'") }, "\(text)")
        XCTAssertTrue(text.contains { $0.hasPrefix("Rules/auth/bad-rule.yaml:6: colour: unknown key") }, "\(text)")
        XCTAssertTrue(text.contains { $0.hasPrefix("Rules/auth/bad-rule.yaml:11: entry.summary: empty section") }, "\(text)")
        XCTAssertTrue(text.contains { $0.contains("entry.causes: missing section") }, "\(text)")
    }

    func testDuplicateIdsAndYAMLErrors() {
        let good = TestRules.yaml(id: "dup", match: ["x"])
        let (_, problems) = RuleLoader().load(files: [
            (path: "a/dup.yaml", contents: good), (path: "b/dup.yaml", contents: good),
            (path: "c/broken.yaml", contents: "id: [unclosed\nclass: auth"),
        ])
        XCTAssertTrue(problems.contains { $0.file == "b/dup.yaml" && $0.field == "id" && $0.message.contains("duplicate id 'dup'") })
        XCTAssertTrue(problems.contains { $0.file == "c/broken.yaml" && $0.field == "(yaml)" })
    }

    func testCompilerNamesPatternsBothEnginesRejectAndUncapturedFingerprints() {
        let pcreBad = TestRules.yaml(id: "pcre-bad", match: ["ok", "unclosed (group"])
        let hsBad = TestRules.yaml(id: "hs-bad", match: [#"(a)\1"#, #"x\Cy"#])
        let fp = TestRules.yaml(id: "fp", match: ["(?<model>m)"], fingerprint: ["nonexistent_field"])
        let (specs, loadProblems) = RuleLoader().load(files: [
            (path: "r/pcre-bad.yaml", contents: pcreBad), (path: "r/hs-bad.yaml", contents: hsBad), (path: "r/fp.yaml", contents: fp),
        ])
        XCTAssertEqual(loadProblems, [])
        XCTAssertThrowsError(try RuleCompiler().compile(specs)) { error in
            let problems = (error as! RuleErrors).problems
            XCTAssertTrue(problems.contains { $0.file == "r/pcre-bad.yaml" && $0.field == "match[1]" && $0.message.contains("PCRE2 rejects") }, "\(problems)")
            XCTAssertTrue(problems.contains { $0.file == "r/fp.yaml" && $0.field == "fingerprint" && $0.message.contains("nonexistent_field") }, "\(problems)")
        }
    }

    func testHyperscanRejectionIsReportedAgainstItsPattern() {
        // \K is refused by Hyperscan even as a prefilter, and PCRE2 accepts it.
        let hsBad = TestRules.yaml(id: "hs-only-bad", match: ["fine", #"a\Kb"#])
        let (specs, _) = RuleLoader().load(files: [(path: "r/hs-only-bad.yaml", contents: hsBad)])
        XCTAssertThrowsError(try RuleCompiler().compile(specs)) { error in
            let problems = (error as! RuleErrors).problems
            XCTAssertTrue(problems.contains { $0.field == "match[1]" && $0.message.contains("Hyperscan rejects") }, "\(problems)")
        }
    }

    func testHyperscanFormDropsGroupNamesOnly() {
        XCTAssertEqual(RuleCompiler.hyperscanForm(#"a(?<x>b)(?P<y>c)(?<=d)\(?<e>[(?<f>]"#), #"a(?:b)(?:c)(?<=d)\(?<e>[(?<f>]"#)
    }

    /// Found by FuzzRuleLoader: `&everity: info` is an anchored empty key, and the problem
    /// named no field ("fuzz.yaml:2: : unknown key").
    func testAnEmptyKeyIsNamedInTheProblem() {
        let yaml = "id: x\n&everity: info\n\"\": y\n"
        let (_, problems) = RuleLoader().load(files: [(path: "Rules/auth/x.yaml", contents: yaml)])
        let unknown = problems.filter { $0.message.hasPrefix("unknown key") }
        XCTAssertEqual(unknown.map(\.field), ["(empty key)", "(empty key)"])
        XCTAssertEqual(unknown.map(\.line), [2, 3])
        XCTAssertTrue(problems.allSatisfy { !$0.field.isEmpty })
    }

    /// The loader parses without tag resolution first (it saves ICU's regex engine, issue #7);
    /// `"1"` and `1` are then the same key, so Yams reports a duplicate. They must stay two keys,
    /// each with its own problem, as with Yams' default resolver.
    func testKeysThatDifferOnlyByTagStayApart() {
        let yaml = "id: x\n\"1\": a\n1: b\n\"true\": c\ntrue: d\n"
        let (_, problems) = RuleLoader().load(files: [(path: "Rules/auth/x.yaml", contents: yaml)])
        let unknown = problems.filter { $0.message.hasPrefix("unknown key") }
        XCTAssertEqual(unknown.map(\.field), ["1", "1", "true", "true"])
        XCTAssertEqual(unknown.map(\.line), [2, 3, 4, 5])
        XCTAssertFalse(problems.contains { $0.field == "(yaml)" }, "\(problems)")
    }
}

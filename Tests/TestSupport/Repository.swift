// TestSupport: what every test target shares — the repository's paths and in-repo fixtures,
// golden comparison, a process runner and a seeded generator. It may use Foundation and XCTest
// only (no project module), so any test target can depend on it without pulling in the others.
public import Foundation

/// Paths inside the checkout. Everything a test reads lives in the repository (a user's clone has
/// nothing beside it): shipped Rules/ and Samples/, and Tests/Fixtures/ for test-only inputs.
public enum Repository {
    /// The checkout's root: this file is Tests/TestSupport/Repository.swift.
    public static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// A file or folder inside the checkout, e.g. `url("Samples/litellm-proxy.log")`.
    public static func url(_ relative: String) -> URL { root.appendingPathComponent(relative) }

    /// `url(relative).path`.
    public static func path(_ relative: String) -> String { url(relative).path }

    /// Test-only inputs (Tests/Fixtures/), e.g. `fixture("corpus/litellm-dev.jsonl")`.
    public static func fixture(_ relative: String) -> URL { url("Tests/Fixtures/" + relative) }

    /// The labelled dev corpus (JSON lines with "line" and "class"), copied into the repository.
    public static let corpus = fixture("corpus/litellm-dev.jsonl")

    /// The "line" of every corpus entry. Throws when the file is missing: a test that silently
    /// read nothing would pass for the wrong reason.
    public static func corpusTexts(_ url: URL = corpus) throws -> [String] {
        let data = try Data(contentsOf: url)
        var texts: [String] = []
        for line in data.split(separator: 0x0A) {
            if let object = try JSONSerialization.jsonObject(with: line) as? [String: Any], let text = object["line"] as? String {
                texts.append(text)
            }
        }
        return texts
    }

    /// The shipped catalogue's files, sorted by path: `(path below Rules/, contents)`, with `prefix`
    /// put before each path (the catalogue's own tests name files as `Rules/<class>/<id>.yaml`).
    public static func ruleFiles(prefix: String = "") throws -> [(path: String, contents: String)] {
        let rules = url("Rules")
        var files: [(path: String, contents: String)] = []
        guard let enumerator = FileManager.default.enumerator(atPath: rules.path) else {
            throw CocoaError(.fileReadNoSuchFile, userInfo: [NSFilePathErrorKey: rules.path])
        }
        for case let relative as String in enumerator where relative.hasSuffix(".yaml") {
            files.append((prefix + relative, try String(contentsOf: rules.appendingPathComponent(relative), encoding: .utf8)))
        }
        return files.sorted { $0.path < $1.path }
    }

    /// A product built beside the running test bundle (e.g. "logwatch", "generate-manual").
    public static func product(_ name: String) -> URL {
        let products = Bundle.allBundles.first { $0.bundlePath.hasSuffix(".xctest") }?.bundleURL.deletingLastPathComponent()
            ?? Bundle.main.bundleURL
        return products.appendingPathComponent(name)
    }

    /// The first executable `tool` in the usual system folders, or nil.
    public static func which(_ tool: String) -> String? {
        for dir in ["/usr/bin", "/bin", "/usr/sbin", "/sbin", "/usr/local/bin", "/lib/systemd", "/usr/lib/systemd"]
        where FileManager.default.isExecutableFile(atPath: "\(dir)/\(tool)") {
            return "\(dir)/\(tool)"
        }
        return nil
    }
}

/// Scratch space for one test.
public enum Scratch {
    /// A new, empty directory under the system's temporary directory, named `prefix-<pid>-<random>`;
    /// the test removes it in its tear-down.
    public static func directory(_ prefix: String) throws -> URL {
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("\(prefix)-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}

// swift-tools-version:6.0
import PackageDescription

// Linux only: the build needs libsystemd, Hyperscan and glibc, and the service is a systemd unit.
// No `platforms:` entry, because SwiftPM has none for "Linux only"; README.md says so.
let package = Package(
    name: "logwatch",
    products: [
        .executable(name: "logwatch", targets: ["logwatch"]),
        .library(name: "LogwatchCore", targets: ["LogwatchCore"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        // Already in the graph through hummingbird; named because HTTPListener imports them.
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.3"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
    ],
    targets: [
        .systemLibrary(name: "CHyperscan", pkgConfig: "libhs",
                       providers: [.apt(["libhyperscan-dev"])]),
        .systemLibrary(name: "CPCRE2", pkgConfig: "libpcre2-8",
                       providers: [.apt(["libpcre2-dev"])]),
        .systemLibrary(name: "CSystemd", pkgConfig: "libsystemd",
                       providers: [.apt(["libsystemd-dev"])]),
        // zlib, libbz2, liblzma, libzstd: compressed rotations (Decompressor); no .pc for all four.
        .systemLibrary(name: "CCompression",
                       providers: [.apt(["zlib1g-dev", "libbz2-dev", "liblzma-dev", "libzstd-dev"])]),
        // Hand-written C for `scan`'s byte loops (SparseFramer.push(lines:), the JSON skim): the
        // functions are `static inline` in include/, so Swift inlines them; a C target of its own
        // so the compiler checks them with warnings on (`make c-check`, run by `make test`, makes
        // them errors).
        .target(name: "CLineScan", cSettings: [.unsafeFlags(["-Wall", "-Wextra"])]),
        // The version `make` derives from git (tools/version.sh); a fallback without make.
        .target(name: "CBuildInfo"),
        .target(name: "LogwatchCore", dependencies: [
            "CHyperscan", "CPCRE2", "CLineScan",
            .product(name: "Yams", package: "Yams"),
        ]),
        .target(name: "LogwatchIO", dependencies: [
            "LogwatchCore", "CSystemd", "CLineScan", "CCompression",
            .product(name: "Logging", package: "swift-log"),
            .product(name: "GRDB", package: "GRDB.swift"),
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "Prometheus", package: "swift-prometheus"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
            .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
        ]),
        .executableTarget(name: "logwatch", dependencies: [
            "LogwatchCore", "LogwatchIO", "CBuildInfo",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "Logging", package: "swift-log"),
        ], linkerSettings: [
            // Peak RSS of `logwatch scan` (issue #7), release builds on Linux. lld packs the relative
            // relocations (DT_RELR, glibc >= 2.36; the toolchain ships lld), which the loader otherwise
            // reads at 24 bytes each at start-up. --no-export-dynamic undoes the -export-dynamic that
            // `make release`'s static stdlib adds: ~40k exported names the loader pages in on every
            // lookup. docs/performance.md has the figures.
            .unsafeFlags(["-use-ld=lld", "-Xlinker", "-z", "-Xlinker", "pack-relative-relocs",
                          "-Xlinker", "--no-export-dynamic"],
                         .when(platforms: [.linux], configuration: .release)),
        ]),
        // What every test target shares (goldens, repository paths, process runner, seeded
        // generator); Foundation and XCTest only.
        .target(name: "TestSupport", path: "Tests/TestSupport"),
        .testTarget(name: "LogwatchCoreTests", dependencies: ["LogwatchCore", "CLineScan", "TestSupport"], exclude: ["Golden"]),
        .testTarget(name: "RuleCatalogTests", dependencies: ["LogwatchCore", "TestSupport"]),
        .testTarget(name: "LogwatchIOTests", dependencies: [
            "LogwatchIO", "LogwatchCore", "TestSupport",
            .product(name: "Logging", package: "swift-log"),
            .product(name: "InMemoryLogging", package: "swift-log"),
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
        ]),
        .testTarget(name: "EndToEndTests", dependencies: ["LogwatchCore", "LogwatchIO", "logwatch", "TestSupport"],
                    exclude: ["Golden"]),
    ]
)

// Strict settings for every Swift target in one place (style.md). InternalImportsByDefault: an
// `import` is internal unless written `public import`, so a module's public API names what it
// exposes of its dependencies. Not yet in LogwatchIO: 23 of its files put LogwatchCore,
// Foundation, Logging or NIO types in public declarations and would each need `public import`
// lines; with several branches adding IO code at once, that waits until they have landed.
let internalImportsPending: Set<String> = ["LogwatchIO"]
for target in package.targets where [.regular, .executable, .test].contains(target.type) {
    var settings = target.swiftSettings ?? []
    settings.append(.enableUpcomingFeature("ExistentialAny"))
    settings.append(.enableUpcomingFeature("MemberImportVisibility"))
    if !internalImportsPending.contains(target.name) {
        settings.append(.enableUpcomingFeature("InternalImportsByDefault"))
    }
    target.swiftSettings = settings
}

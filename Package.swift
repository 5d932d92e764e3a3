// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "logwatch",
    platforms: [.macOS(.v14)],
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
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
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
        // Header-only C for `scan`'s hottest byte loop (SparseFramer.push(lines:)): no library to link.
        .systemLibrary(name: "CLineScan"),
        // The version `make` derives from git (tools/version.sh); a fallback without make.
        .target(name: "CBuildInfo"),
        .target(name: "LogwatchCore", dependencies: [
            "CHyperscan", "CPCRE2", "CLineScan",
            .product(name: "Yams", package: "Yams"),
        ]),
        .target(name: "LogwatchIO", dependencies: [
            "LogwatchCore", "CSystemd", "CLineScan",
            .product(name: "Logging", package: "swift-log"),
            .product(name: "GRDB", package: "GRDB.swift"),
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "Metrics", package: "swift-metrics"),
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
        .testTarget(name: "LogwatchCoreTests", dependencies: ["LogwatchCore"], exclude: ["Golden"]),
        .testTarget(name: "RuleCatalogTests", dependencies: ["LogwatchCore"]),
        .testTarget(name: "LogwatchIOTests", dependencies: [
            "LogwatchIO", "LogwatchCore",
            .product(name: "Logging", package: "swift-log"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            .product(name: "InMemoryLogging", package: "swift-log"),
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
        ]),
        .testTarget(name: "EndToEndTests", dependencies: ["LogwatchCore", "LogwatchIO", "logwatch"], exclude: ["Golden"]),
    ]
)

// Strict settings for every target in one place.
for target in package.targets where target.type != .system && target.name != "CBuildInfo" {
    var settings = target.swiftSettings ?? []
    settings.append(.enableUpcomingFeature("ExistentialAny"))
    settings.append(.enableUpcomingFeature("MemberImportVisibility"))
    target.swiftSettings = settings
}

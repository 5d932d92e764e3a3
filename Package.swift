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
    ],
    targets: [
        .systemLibrary(name: "CHyperscan", pkgConfig: "libhs",
                       providers: [.apt(["libhyperscan-dev"])]),
        .systemLibrary(name: "CPCRE2", pkgConfig: "libpcre2-8",
                       providers: [.apt(["libpcre2-dev"])]),
        .systemLibrary(name: "CSystemd", pkgConfig: "libsystemd",
                       providers: [.apt(["libsystemd-dev"])]),
        .target(name: "LogwatchCore", dependencies: [
            "CHyperscan", "CPCRE2",
            .product(name: "Yams", package: "Yams"),
        ]),
        .target(name: "LogwatchIO", dependencies: [
            "LogwatchCore", "CSystemd",
            .product(name: "Logging", package: "swift-log"),
            .product(name: "GRDB", package: "GRDB.swift"),
        ]),
        .executableTarget(name: "logwatch", dependencies: [
            "LogwatchCore", "LogwatchIO",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        .testTarget(name: "LogwatchCoreTests", dependencies: ["LogwatchCore"], exclude: ["Golden"]),
        .testTarget(name: "RuleCatalogTests", dependencies: ["LogwatchCore"]),
        .testTarget(name: "LogwatchIOTests", dependencies: ["LogwatchIO", "LogwatchCore"]),
        .testTarget(name: "EndToEndTests", dependencies: ["LogwatchCore", "LogwatchIO", "logwatch"], exclude: ["Golden"]),
    ]
)

// Strict settings for every target in one place.
for target in package.targets where target.type != .system {
    var settings = target.swiftSettings ?? []
    settings.append(.enableUpcomingFeature("ExistentialAny"))
    settings.append(.enableUpcomingFeature("MemberImportVisibility"))
    target.swiftSettings = settings
}

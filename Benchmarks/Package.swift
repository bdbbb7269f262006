// swift-tools-version:6.1
// Benchmarks live in their own package so `swift test` in the root never builds them.
import PackageDescription

let package = Package(
    name: "authd-benchmarks",
    dependencies: [
        .package(name: "authd", path: ".."),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
    ],
    targets: [
        // nodejs/http-parser from Debian's libhttp-parser-dev, the C baseline for the parser.
        .systemLibrary(name: "CNodeHTTPParser", path: "Sources/CNodeHTTPParser"),
        .executableTarget(
            name: "ParserBench",
            dependencies: [.product(name: "HTTPParser", package: "authd"), "CNodeHTTPParser"],
            swiftSettings: [.unsafeFlags(["-Ounchecked"])]
        ),
        .executableTarget(
            name: "ReactorBench",
            dependencies: [.product(name: "EventLoop", package: "authd")]
        ),
        // Issue 7's question: what swift-prometheus would cost per request against plain counters.
        .executableTarget(
            name: "MetricsBench",
            dependencies: [.product(name: "Prometheus", package: "swift-prometheus")]
        ),
    ],
    swiftLanguageModes: [.v6]
)

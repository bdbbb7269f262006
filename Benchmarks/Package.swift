// swift-tools-version:6.1
// Benchmarks live in their own package so `swift test` in the root never builds them.
import PackageDescription

let package = Package(
    name: "authd-benchmarks",
    dependencies: [
        .package(name: "authd", path: ".."),
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
    ],
    swiftLanguageModes: [.v6]
)

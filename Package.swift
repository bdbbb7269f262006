// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "authd",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "authd", targets: ["authd"]),
        .library(name: "EventLoop", targets: ["EventLoop"]),
        .library(name: "HTTPParser", targets: ["HTTPParser"]),
        .library(name: "AuthService", targets: ["AuthService"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
    ],
    targets: [
        // Thin system-library shims.
        .systemLibrary(name: "CSQLite", path: "Sources/CSQLite"),
        .systemLibrary(name: "CCrypt", path: "Sources/CCrypt"),
        .systemLibrary(name: "CLibcrypto", path: "Sources/CLibcrypto"),
        .systemLibrary(name: "CPostgres", path: "Sources/CPostgres"),
        .systemLibrary(name: "CQREncode", path: "Sources/CQREncode"),
        .target(name: "CLinux", path: "Sources/CLinux"),

        .target(name: "EventLoop", dependencies: ["CLinux"]),
        .target(name: "HTTPParser"),
        .target(
            name: "AuthService",
            dependencies: [
                "HTTPParser", "CSQLite", "CCrypt", "CLibcrypto", "CPostgres", "CQREncode",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(
            name: "authd",
            dependencies: [
                "AuthService", "EventLoop", "HTTPParser", "CLinux",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            plugins: ["CommitStamp", "EmbedOpenAPI"]
        ),
        // Writes the commit being built into `authd --version`, at every build (see the plugin).
        .plugin(name: "CommitStamp", capability: .buildTool()),
        // Compiles `openapi.json` into `authd` for `GET /openapi.json` (see the plugin).
        .plugin(name: "EmbedOpenAPI", capability: .buildTool()),

        .testTarget(name: "EventLoopTests", dependencies: ["EventLoop", "CLinux"]),
        .testTarget(name: "HTTPParserTests", dependencies: ["HTTPParser"]),
        .testTarget(
            name: "AuthServiceTests",
            dependencies: [
                "AuthService", "HTTPParser", "CSQLite", "CPostgres", .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(
            name: "authdTests",
            dependencies: ["authd"],
            resources: [.copy("Resources")]
        ),
    ],
    swiftLanguageModes: [.v6]
)

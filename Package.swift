// swift-tools-version: 6.1
// SPDX-License-Identifier: Apache-2.0
import PackageDescription

/// One set of upcoming-feature flags for every Swift target (as in hummingbird).
let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("InternalImportsByDefault"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

let package = Package(
    name: "ocitool",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "ocitool", targets: ["ocitool"]),
        .library(name: "Layout", targets: ["Layout"]),
        .library(name: "Serve", targets: ["Serve"]),
        .library(name: "Sync", targets: ["Sync"]),
        .library(name: "ObjectStorage", targets: ["ObjectStorage"]),
        .library(name: "Scan", targets: ["Scan"]),
        .library(name: "Trust", targets: ["Trust"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        // No traits: the default ones pull all of Foundation and ICU into the server (about 8 MiB RSS).
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1", traits: []),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        // Already in the graph through hummingbird; named because Serve uses them directly (header names, the
        // upload sweeper service, the HTTP parts a channel handler sees).
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-nio-extras", from: "1.35.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        // Serve operations: TLS (through HummingbirdTLS), metrics, the YAML configuration file.
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
    ],
    targets: [
        .systemLibrary(
            name: "CArchive",
            pkgConfig: "libarchive",
            providers: [.apt(["libarchive-dev"]), .brew(["libarchive"])]
        ),
        .systemLibrary(
            name: "COpenSSL",
            pkgConfig: "openssl",
            providers: [.apt(["libssl-dev"]), .brew(["openssl"])]
        ),
        .systemLibrary(
            name: "CCurl",
            pkgConfig: "libcurl",
            providers: [.apt(["libcurl4-openssl-dev"]), .brew(["curl"])]
        ),
        // zlib and libzstd: import decompresses gzip and zstd archives itself, so every CRC and checksum is
        // checked and the stream is read to its end (libarchive's gzip reader checks neither).
        .systemLibrary(
            name: "CZlib",
            pkgConfig: "zlib",
            providers: [.apt(["zlib1g-dev"]), .brew(["zlib"])]
        ),
        .systemLibrary(
            name: "CZstd",
            pkgConfig: "libzstd",
            providers: [.apt(["libzstd-dev"]), .brew(["zstd"])]
        ),
        // libsqlite3: the rpm cataloger reads rpmdb.sqlite (and the vulnerability database lives in SQLite).
        .systemLibrary(
            name: "CSQLite",
            pkgConfig: "sqlite3",
            providers: [.apt(["libsqlite3-dev"])]
        ),
        // libcrypt (libxcrypt): crypt_rn verifies the bcrypt hashes of htpasswd files.
        .systemLibrary(
            name: "CCrypt",
            providers: [.apt(["libcrypt-dev"])]
        ),
        .target(
            name: "Bcrypt",
            dependencies: ["CCrypt"],
            swiftSettings: swiftSettings
        ),
        // libsodium: nacl/secretbox for cosign's encrypted private keys.
        .systemLibrary(
            name: "CSodium",
            pkgConfig: "libsodium",
            providers: [.apt(["libsodium-dev"]), .brew(["libsodium"])]
        ),
        // Keys, signatures and MACs over libcrypto; cosign's encrypted key format (scrypt, and secretbox from
        // libsodium).
        .target(
            name: "OCICrypto",
            dependencies: ["COpenSSL", "CSodium"],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "Layout",
            dependencies: ["CArchive", "COpenSSL", "CZlib", "CZstd"],
            swiftSettings: swiftSettings
        ),
        // The strict, located YAML reader of serve.yaml and sync.yaml (Serve and Sync may not import each other).
        .target(
            name: "YAMLConfig",
            dependencies: ["Layout", .product(name: "Yams", package: "Yams")],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "Serve",
            dependencies: [
                "Layout",
                "ObjectStorage",
                "Scan",
                "YAMLConfig",
                "Bcrypt",
                "OCICrypto",
                "Trust",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
            ],
            swiftSettings: swiftSettings
        ),
        // One libcurl easy handle per thread of work: requests, TLS material, AWS Signature V4.
        .target(
            name: "CurlTransport",
            dependencies: ["CCurl"],
            swiftSettings: swiftSettings
        ),
        // Object storage: the S3 client (path-style, SigV4, conditional writes) and the S3 implementation of the
        // storage protocol.
        .target(
            name: "ObjectStorage",
            dependencies: ["Layout", "CurlTransport", "OCICrypto"],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "Sync",
            dependencies: [
                "Layout", "YAMLConfig", "CurlTransport", "ObjectStorage", .product(name: "Yams", package: "Yams"),
            ],
            swiftSettings: swiftSettings
        ),
        // cosign signatures (legacy .sig tag, Sigstore bundle referrers), DSSE/in-toto attestations, verification.
        .target(
            name: "Trust",
            dependencies: ["Layout", "OCICrypto"],
            swiftSettings: swiftSettings
        ),
        // Vulnerability matching: ecosystem version orders, OSV range evaluation, CVSS base scores; the
        // vulnerability database (SQLite; OSV's all.zip read through libarchive), scan reports, ignore files (YAML).
        .target(
            name: "Scan",
            dependencies: ["Layout", "CSQLite", "CArchive", .product(name: "Yams", package: "Yams")],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "ocitool",
            dependencies: [
                "Layout",
                "Serve",
                "Sync",
                "ObjectStorage",
                "CurlTransport",
                "OCICrypto",
                "Trust",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        // Helpers for the test targets: the distribution registry they start, loopback ports, certificates.
        .target(
            name: "TestSupport",
            dependencies: ["Layout"],
            path: "Tests/TestSupport",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "LayoutTests",
            dependencies: ["Layout", "TestSupport"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "CryptoTests",
            dependencies: ["OCICrypto", "TestSupport"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "TrustTests",
            dependencies: ["Trust", "Layout", "OCICrypto", "TestSupport"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "ServeTests",
            dependencies: [
                "Serve",
                "ObjectStorage",
                "Scan",
                "OCICrypto",
                "Trust",
                "Layout",
                "TestSupport",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "SyncTests",
            dependencies: ["Sync", "CurlTransport", "Layout", "Serve", "TestSupport"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "ObjectStorageTests",
            dependencies: ["ObjectStorage", "Layout", "TestSupport"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "ScanTests",
            dependencies: ["Scan", "Layout", "TestSupport"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "CLITests",
            // ocitool itself for its error mapping (ErrorReportTests); the other tests run the built binary.
            dependencies: ["ocitool", "Layout", "Serve", "Sync", "CurlTransport", "OCICrypto", "Trust", "TestSupport"],
            swiftSettings: swiftSettings
        ),
    ]
)

// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "rehearse",
    platforms: [.macOS(.v13)],
    products: [
        .library(name: "RehearsalKit", targets: ["RehearsalKit"]),
        .executable(name: "rehearse", targets: ["rehearse"]),
    ],
    dependencies: [
        .package(url: "https://github.com/groue/GRDB.swift", exact: "7.10.0"),
        .package(url: "https://github.com/apple/swift-argument-parser", exact: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams", exact: "6.2.2"),
    ],
    targets: [
        .target(
            name: "RehearsalKit",
            dependencies: [
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
                .product(name: "Yams", package: "Yams"),
            ],
            resources: [
                .copy("Resources/migrations-sqlite"),
                .copy("Resources/scenarios"),
                .copy("Resources/checklists"),
            ]
        ),
        .executableTarget(
            name: "rehearse",
            dependencies: [
                "RehearsalKit",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(
            name: "RehearsalKitTests",
            dependencies: ["RehearsalKit", "rehearse"]
        ),
    ],
    swiftLanguageModes: [.v6]
)

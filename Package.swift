// swift-tools-version:6.0
// workbench — does giving every model a unique recipe add signal to an ensemble?
// Module map: see README.md "Architecture".
import PackageDescription

let package = Package(
    name: "workbench",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "workbench", targets: ["workbench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        // System libraries: module map + shim header only.
        .systemLibrary(name: "CHDF5", pkgConfig: "hdf5-serial",
                       providers: [.apt(["libhdf5-dev"])]),
        .systemLibrary(name: "CLinearAlgebra", pkgConfig: "openblas",
                       providers: [.apt(["libopenblas-dev", "liblapacke-dev"])]),
        .systemLibrary(name: "CCompression",
                       providers: [.apt(["libsnappy-dev", "libzstd-dev", "zlib1g-dev"])]),

        // Thin Swift wrappers.
        .target(name: "HDF5", dependencies: ["CHDF5", "CCompression"]),
        .target(name: "LinearAlgebra", dependencies: ["CLinearAlgebra"]),

        // Domain.
        .target(name: "Parquet", dependencies: ["CCompression"], exclude: ["README.md"]),
        .target(name: "EraData", dependencies: ["HDF5", "Parquet"], exclude: ["README.md"]),
        .target(name: "Boosting", dependencies: ["EraData"], exclude: ["README.md"]),
        .target(name: "Diversity", dependencies: ["EraData", "LinearAlgebra"], exclude: ["README.md"]),
        .target(name: "PredictionStore", dependencies: ["HDF5", "EraData"]),
        .target(name: "Studies", dependencies: ["EraData", "Boosting", "PredictionStore", "Diversity"],
                exclude: ["Mining/README.md"]),
        .target(name: "Reports", dependencies: ["Diversity", "PredictionStore"], exclude: ["README.md"]),
        .target(name: "Tournament", dependencies: ["EraData", "Diversity", "LinearAlgebra", "Studies", "Reports"],
                exclude: ["README.md"]),

        // CLI: commands live in a library so tests can call them; the executable is a one-liner.
        .target(name: "WorkbenchCLI", dependencies: [
            "EraData", "Parquet", "Boosting", "Studies", "PredictionStore", "Diversity", "Reports", "Tournament",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        .executableTarget(name: "workbench", dependencies: ["WorkbenchCLI"]),

        .target(name: "TestSupport", path: "Tests/TestSupport"),
        .testTarget(name: "HDF5Tests", dependencies: ["HDF5", "TestSupport"]),
        .testTarget(name: "LinearAlgebraTests", dependencies: ["LinearAlgebra", "TestSupport"]),
        .testTarget(name: "ParquetTests", dependencies: ["Parquet", "TestSupport"]),
        .testTarget(name: "EraDataTests", dependencies: ["EraData", "TestSupport"]),
        .testTarget(name: "BoostingTests", dependencies: ["Boosting", "EraData", "TestSupport"]),
        .testTarget(name: "DiversityTests", dependencies: ["Diversity", "EraData", "TestSupport"]),
        .testTarget(name: "StudiesTests", dependencies: ["Studies", "PredictionStore", "Diversity", "Boosting", "TestSupport"]),
        .testTarget(name: "ReportsTests", dependencies: ["Reports", "Diversity", "EraData", "PredictionStore", "TestSupport"]),
        .testTarget(name: "EndToEndTests", dependencies: ["TestSupport"]),
        .testTarget(name: "TournamentTests", dependencies: ["Tournament", "Diversity", "EraData", "TestSupport"]),
    ]
)

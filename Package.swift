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

        // Dependency-free helpers every module shares (atomic files, hashing, did-you-mean, …).
        .target(name: "Support", exclude: ["README.md"]),

        // Thin Swift wrappers.
        .target(name: "HDF5", dependencies: ["CHDF5", "CCompression", "Support"]),
        .target(name: "LinearAlgebra", dependencies: ["CLinearAlgebra"]),

        // Domain.
        .target(name: "Parquet", dependencies: ["CCompression", "Support"], exclude: ["README.md"]),
        .target(name: "EraData", dependencies: ["Support", "HDF5", "Parquet"], exclude: ["README.md"]),
        // The GBDT trainer's partition kernel (C: PEXT with a runtime CPU check, portable fallback).
        .target(name: "CBoostingKernels"),
        .target(name: "Boosting", dependencies: ["Support", "EraData", "CBoostingKernels"], exclude: ["README.md"]),
        // The study file's evaluation rules (split, inference settings, ensemble and contrast rules):
        // Studies reads them, Diversity applies them, neither needs the other for them.
        .target(name: "EvaluationRules", dependencies: ["Support"], exclude: ["README.md"]),
        .target(name: "Diversity", dependencies: ["Support", "EraData", "LinearAlgebra", "EvaluationRules"], exclude: ["README.md"]),
        .target(name: "PredictionStore", dependencies: ["Support", "HDF5", "EraData"]),
        .target(name: "Studies", dependencies: ["Support", "EraData", "Boosting", "PredictionStore", "EvaluationRules"]),
        // `workbench mine`: one validated model per staker, trained by Studies' PlanTrainer.
        .target(name: "Mining", dependencies: ["Support", "EraData", "Boosting", "EvaluationRules", "Diversity", "Studies"],
                exclude: ["README.md"]),
        .target(name: "Reports", dependencies: ["Support", "EvaluationRules", "Diversity", "PredictionStore"], exclude: ["README.md"]),
        .target(name: "Tournament", dependencies: ["Support", "EraData", "EvaluationRules", "Diversity", "LinearAlgebra", "Studies", "Mining", "Reports"],
                exclude: ["README.md"]),
        // Orchestration the commands share: stored predictions → analysis → metrics and reports
        // (studies), a farm → its mining report's input, the progress score.
        .target(name: "Pipeline", dependencies: ["Support", "EraData", "EvaluationRules", "Studies", "Mining", "PredictionStore", "Diversity", "Reports"]),

        // The node: one round of predictions and Numerai submissions for a farm's stakers.
        .target(name: "Node", dependencies: ["Support", "EraData", "Boosting", "Diversity", "Studies", "Mining"], exclude: ["README.md"]),

        // CLI: commands live in a library so tests can call them; the executable is a one-liner.
        .target(name: "WorkbenchCLI", dependencies: [
            "Support", "EraData", "Parquet", "Boosting", "EvaluationRules", "Studies", "PredictionStore", "Diversity", "Reports", "Tournament",
            "Mining", "Pipeline", "Node",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        .executableTarget(name: "workbench", dependencies: ["WorkbenchCLI"]),
        // Benchmark hooks driven by bench/* (not a product: users never install it).
        .executableTarget(name: "workbench-bench", dependencies: [
            "WorkbenchCLI", "Boosting", "EraData", "EvaluationRules", "Parquet", "Fixtures", "Diversity", "Reports", "Tournament", "Support",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),

        // Synthetic inputs shared by the tests and workbench-bench (sample charts, a fixture study, …).
        .target(name: "Fixtures", dependencies: ["Support", "EraData", "EvaluationRules", "Diversity", "Reports", "Tournament"]),

        .target(name: "TestSupport", path: "Tests/TestSupport"),
        .testTarget(name: "SupportTests", dependencies: ["Support", "TestSupport"]),
        .testTarget(name: "HDF5Tests", dependencies: ["HDF5", "TestSupport"]),
        .testTarget(name: "LinearAlgebraTests", dependencies: ["LinearAlgebra", "TestSupport"]),
        .testTarget(name: "ParquetTests", dependencies: ["Parquet", "Support", "TestSupport"]),
        .testTarget(name: "EraDataTests", dependencies: ["EraData", "Support", "TestSupport"]),
        .testTarget(name: "BoostingTests", dependencies: ["Boosting", "EraData", "Support", "TestSupport"]),
        .testTarget(name: "DiversityTests", dependencies: ["Diversity", "EvaluationRules", "EraData", "Support", "TestSupport", "Fixtures"]),
        .testTarget(name: "StudiesTests", dependencies: ["Studies", "EvaluationRules", "Pipeline", "Mining", "PredictionStore", "Diversity", "Boosting", "Support", "TestSupport"]),
        .testTarget(name: "MiningTests", dependencies: ["Mining", "Studies", "Diversity", "Boosting", "EraData", "Support", "TestSupport"]),
        .testTarget(name: "PipelineTests", dependencies: ["Pipeline", "Mining", "Studies", "Diversity", "Reports", "EraData", "Support", "TestSupport"]),
        .testTarget(name: "ReportsTests", dependencies: ["Reports", "EvaluationRules", "Diversity", "EraData", "PredictionStore", "Support", "TestSupport", "Fixtures"]),
        .testTarget(name: "EndToEndTests", dependencies: ["TestSupport"]),
        .testTarget(name: "NodeTests", dependencies: ["Node", "Studies", "Mining", "Support", "TestSupport"], exclude: ["numerai_server.py", "numerapi_client.py"]),
        .testTarget(name: "TournamentTests", dependencies: ["Tournament", "EvaluationRules", "Diversity", "EraData", "Support", "TestSupport", "Fixtures"]),
    ]
)

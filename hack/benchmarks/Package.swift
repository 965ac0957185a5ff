// swift-tools-version: 6.1
// Benchmarks: kept out of the main package so `swift test` never builds them. Run in release mode:
//   swift run -c release --package-path hack/benchmarks bench-planner
import PackageDescription

let package = Package(
    name: "cutover-benchmarks",
    platforms: [.macOS(.v14)],
    dependencies: [.package(name: "cutover", path: "../..")],
    targets: [
        .executableTarget(name: "bench-planner", dependencies: [.product(name: "Cutover", package: "cutover")]),
        .executableTarget(name: "bench-sim", dependencies: [.product(name: "KubeSim", package: "cutover")]),
        // Output, the release-built controller and KubeSim's request counts, for the benchmarks that run the controller.
        .target(name: "BenchSupport", dependencies: [.product(name: "KubeSim", package: "cutover"), .product(name: "KubeModels", package: "cutover")]),
        .executableTarget(
            name: "bench-controller",
            dependencies: [
                "BenchSupport", .product(name: "KubeSim", package: "cutover"), .product(name: "KubeModels", package: "cutover"),
                .product(name: "Cutover", package: "cutover"), .product(name: "CutoverController", package: "cutover"), "CHeap",
            ]),
        .target(name: "CHeap"),
        .executableTarget(
            name: "bench-shards",
            dependencies: ["BenchSupport", .product(name: "KubeSim", package: "cutover"), .product(name: "KubeModels", package: "cutover")]),
        .executableTarget(
            name: "bench-group-revert",
            dependencies: [
                "BenchSupport", .product(name: "KubeAPI", package: "cutover"), .product(name: "KubeModels", package: "cutover"),
                .product(name: "KubeSim", package: "cutover"),
            ]),
        .executableTarget(
            name: "bench-sim-writes",
            dependencies: [
                "BenchSupport", .product(name: "KubeAPI", package: "cutover"), .product(name: "KubeModels", package: "cutover"),
                .product(name: "KubeSim", package: "cutover"),
            ]),
        .executableTarget(
            name: "bench-http2",
            dependencies: [
                .product(name: "KubeAPI", package: "cutover"), .product(name: "KubeModels", package: "cutover"),
                .product(name: "KubeSim", package: "cutover"),
            ]),
        .executableTarget(
            name: "bench-watch-decode",
            dependencies: [
                .product(name: "KubeAPI", package: "cutover"), .product(name: "KubeModels", package: "cutover"),
            ]),
    ]
)

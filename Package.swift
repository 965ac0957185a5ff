// swift-tools-version: 6.1
// Cutover: blue/green releases with a canary step and automatic rollback on Prometheus analysis.
// Module layout and dependency direction: README.md ("How the code is laid out").

import PackageDescription

let package = Package(
    name: "cutover",
    platforms: [.macOS(.v14)],
    products: [
        .library(name: "KubeModels", targets: ["KubeModels"]),
        .library(name: "KubeAPI", targets: ["KubeAPI"]),
        .library(name: "Cutover", targets: ["Cutover"]),
        .library(name: "KubeRuntime", targets: ["KubeRuntime"]),
        .library(name: "KubeSim", targets: ["KubeSim"]),
        .library(name: "Prometheus", targets: ["Prometheus"]),
        .library(name: "CutoverController", targets: ["CutoverController"]),
        .executable(name: "kube-sim", targets: ["kube-sim"]),
        .executable(name: "cutover-controller", targets: ["cutover-controller"]),
        .library(name: "CutoverCLI", targets: ["CutoverCLI"]),
        .library(name: "CutoverDashboard", targets: ["CutoverDashboard"]),
        .executable(name: "kubectl-cutover", targets: ["kubectl-cutover"]),
        .executable(name: "cutover-fuzz", targets: ["cutover-fuzz"]),
        .executable(name: "cutover-chaos", targets: ["cutover-chaos"]),
    ],
    dependencies: [
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        // Already in the graph through async-http-client; KubeSim serves HTTP/2 with it.
        .package(url: "https://github.com/apple/swift-nio-http2.git", from: "1.46.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-certificates.git", from: "1.21.1"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "3.12.3"),
        .package(url: "https://github.com/apple/swift-asn1.git", from: "1.7.4"),
        .package(url: "https://github.com/apple/swift-collections.git", from: "1.6.0"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        .package(url: "https://github.com/x-sheep/swift-property-based.git", from: "2.0.1"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        // The dashboard's HTTP server (`kubectl cutover dashboard`). No traits: swift-configuration
        // and full Foundation are not needed.
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1", traits: []),
        // Already in the graph through Hummingbird: its header field names.
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
    ],
    targets: [
        // Kubernetes object models and JSONValue: no dependencies, shared by client, planner and simulator.
        .target(name: "KubeModels"),
        // The Kubernetes API client: kubeconfig / in-cluster config, REST verbs, watch, errors, retries.
        .target(
            name: "KubeAPI",
            dependencies: [
                "KubeModels",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Yams", package: "Yams"),
            ]
        ),
        // Controller machinery: caches (reflector + store), the generic Controller, work queue, leader election, Events.
        .target(
            name: "KubeRuntime",
            dependencies: [
                "KubeAPI", "KubeModels",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "DequeModule", package: "swift-collections"),
                .product(name: "OrderedCollections", package: "swift-collections"),
                .product(name: "HeapModule", package: "swift-collections"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        // The domain: Rollout types, validation, template hashing, the pure planner, analysis verdicts.
        .target(name: "Cutover", dependencies: ["KubeModels"]),
        // A local Kubernetes API server with simulated workloads, for tests and the demo.
        .target(
            name: "KubeSim",
            dependencies: [
                "KubeModels",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOHTTP2", package: "swift-nio-http2"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "Collections", package: "swift-collections"),
            ],
            exclude: ["Workloads/README.md"]
        ),
        // The PromQL HTTP API client: instant queries, result types, Prometheus errors, auth and TLS.
        .target(
            name: "Prometheus",
            dependencies: [
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // Wires planner, Kubernetes client, Prometheus and webhooks together (the reconcile loop).
        .target(
            name: "CutoverController",
            dependencies: [
                "Cutover", "Prometheus", "KubeAPI", "KubeRuntime", "KubeModels",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                // The outbound policy resolves target names on NIO's blocking-I/O thread pool.
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "Logging", package: "swift-log"),
                // swift-prometheus' module is also called Prometheus (ours is the PromQL client).
                .product(name: "Prometheus", package: "swift-prometheus", moduleAliases: ["Prometheus": "PrometheusExposition"]),
            ]
        ),
        // The controller binary: flags, health endpoints, signal handling around RolloutController.
        .executableTarget(
            name: "cutover-controller",
            dependencies: [
                "CutoverController", "KubeRuntime", "KubeAPI",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        // The kubectl plugin's commands and rendering (status line, tree, history, exit codes), testable in-process.
        .target(
            name: "CutoverCLI",
            dependencies: ["Cutover", "KubeAPI", "KubeModels", .product(name: "Yams", package: "Yams")]
        ),
        // `kubectl cutover dashboard`: a local web page over the user's watches (docs/dashboard.md); the
        // page's HTML, script and style are compiled into the binary.
        .target(
            name: "CutoverDashboard",
            dependencies: [
                "CutoverCLI", "Cutover", "KubeAPI", "KubeModels",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
            ],
            resources: [.embedInCode("Assets/index.html"), .embedInCode("Assets/dashboard.js"), .embedInCode("Assets/dashboard.css")]
        ),
        // `kubectl-cutover`: argument parsing around CutoverCLI, so `kubectl cutover ...` works on PATH.
        .executableTarget(
            name: "kubectl-cutover",
            dependencies: ["CutoverCLI", "CutoverDashboard", "KubeAPI", .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),
        .executableTarget(
            name: "kube-sim",
            dependencies: [
                "KubeSim",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // Feeds mutated Rollouts to the controller binary through KubeSim (docs/testing.md, "Fuzzing").
        .executableTarget(
            name: "cutover-fuzz",
            dependencies: [
                "ClusterHarness", "KubeSim", "KubeModels", .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "hack/fuzz", exclude: ["corpus"]
        ),
        // Runs releases under faults against the real binaries and checks the invariants (docs/testing.md, "Chaos").
        .executableTarget(
            name: "cutover-chaos",
            dependencies: [
                "ClusterHarness", "SimulatorHarness", "Cutover", "KubeAPI", "KubeModels", "KubeSim",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "hack/chaos"
        ),
        // The product as processes (kube-sim, Prometheus, the controller, kubectl) and the cluster
        // watcher that checks the release invariants: for the end-to-end tests and the hack/
        // programs (no Swift Testing in it).
        .target(
            name: "ClusterHarness",
            dependencies: ["Cutover", "KubeAPI", "KubeModels"],
            path: "Tests/ClusterHarness"
        ),
        // Test support shared by the targets that run a KubeSim (a library, not a test target).
        .target(
            name: "SimulatorHarness",
            dependencies: [
                "KubeSim", "KubeAPI", "KubeModels",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            path: "Tests/SimulatorHarness"
        ),
        .testTarget(name: "KubeModelsTests", dependencies: ["KubeModels"], resources: [.copy("Fixtures")]),
        .testTarget(
            name: "KubeAPITests",
            dependencies: [
                "ClusterHarness", "KubeAPI", "KubeSim", "SimulatorHarness",
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
            ]
        ),
        .testTarget(
            name: "CutoverTests",
            dependencies: ["Cutover", .product(name: "PropertyBased", package: "swift-property-based")]
        ),
        .testTarget(name: "KubeSimTests", dependencies: ["KubeSim"], exclude: ["Fixtures"]),
        .testTarget(
            name: "PrometheusTests",
            dependencies: [
                "Prometheus", "KubeSim",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            ]
        ),
        .testTarget(
            name: "CutoverControllerTests",
            dependencies: [
                "CutoverController", "Cutover", "Prometheus", "KubeAPI", "KubeModels", "KubeSim", "KubeRuntime",
                "ClusterHarness",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(
            name: "KubectlCutoverTests",
            dependencies: [
                "CutoverCLI", "CutoverController", "CutoverDashboard", "Cutover", "KubeAPI", "KubeModels", "KubeSim", "KubeRuntime",
                "SimulatorHarness",
            ],
            exclude: ["Golden"]
        ),
        .testTarget(
            name: "KubeRuntimeTests", dependencies: ["KubeRuntime", "KubeAPI", "KubeModels", "KubeSim", "SimulatorHarness"]
        ),
        // Runs the built kube-sim and cutover-controller binaries with a real Prometheus and kubectl.
        .testTarget(name: "EndToEndTests", dependencies: ["ClusterHarness", "Cutover", "KubeAPI", "KubeModels", "KubeRuntime", "SimulatorHarness"]),
    ]
)

import Testing
@testable import ClusterHarness

/// The end-to-end suite: every test runs the built `kube-sim` and `cutover-controller` binaries,
/// a real Prometheus and `kubectl` (docs/testing.md). The tests run in parallel: each has its own
/// processes on its own ports, and they spend their time waiting, so on a loaded 2-core machine
/// the whole suite takes ~75 s in parallel (most of it the 15-member release group cases), the
/// single-Rollout cases ~25 s against ~100 s one after another, with the same results.
@Suite("End to end", .timeLimit(.minutes(3)))
enum EndToEnd {}

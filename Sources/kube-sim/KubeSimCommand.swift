import ArgumentParser
import Foundation
import KubeSim

/// `kube-sim`: runs the local Kubernetes API server until interrupted and writes a kubeconfig
/// that kubectl can use right away.
@main
struct KubeSimCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kube-sim",
        abstract: "A local Kubernetes API server with simulated workloads, for tests and demos.")

    @Option(help: "Address to listen on.")
    var host = "127.0.0.1"

    @Option(help: "Port to listen on (0 picks a free port).")
    var port = 6443

    @Option(name: .customLong("kubeconfig-out"), help: "Where to write the kubeconfig.")
    var kubeconfigOut = "kube-sim.kubeconfig"

    @Option(help: "Bearer token clients must send (random when omitted).")
    var token: String?

    @Option(name: .customLong("crds"), help: "Directory of CustomResourceDefinition YAML files to install at start.")
    var crds: String?

    @Flag(name: .customLong("http"), help: "Serve plain HTTP without authentication (benchmarks only).")
    var plainHTTP = false

    @Option(name: .customLong("http2-max-streams-per-connection"), help: "HTTP/2 streams a client may open per connection (kube-apiserver's default: 100).")
    var http2MaxStreams = 100

    @Option(help: "Seed for the simulated workloads.")
    var seed: UInt64 = 1

    @Flag(name: .customLong("no-gc"), help: "Do not garbage-collect dependents of deleted owners.")
    var noGarbageCollection = false

    @Flag(name: .customLong("no-workloads"), help: "Do not simulate Deployments, pods and traffic.")
    var noWorkloads = false

    @Option(name: .customLong("watch-history"), help: "How many changes a watch can resume across before 410 Expired.")
    var watchHistory = 10_000

    @Option(name: .customLong("fault"), help: "A fault rule, repeatable: 'verb=update,resource=deployments,count=2,code=409' or the JSON of POST /sim/faults rules.")
    var faults: [String] = []

    func run() async throws {
        var options = KubeSim.Options()
        options.host = host
        options.port = port
        options.token = token
        options.crdDirectory = crds
        options.plainHTTP = plainHTTP
        options.seed = seed
        options.http2MaxConcurrentStreams = http2MaxStreams
        options.garbageCollection = !noGarbageCollection
        options.simulateWorkloads = !noWorkloads
        options.watchHistoryLimit = watchHistory
        options.faultRules = try faults.map { text in
            if text.hasPrefix("{") { return try JSONDecoder().decode(FaultRule.self, from: Data(text.utf8)) }
            return try FaultRule(flag: text)
        }
        let sim = try await KubeSim.start(options)
        let path = URL(fileURLWithPath: kubeconfigOut).standardizedFileURL.path
        try sim.writeKubeconfig(to: path)
        say("kube-sim: serving \(sim.baseURL)")
        say("kube-sim: kubeconfig written to \(path)")
        say("kube-sim: export KUBECONFIG=\(path)")
        while !Task.isCancelled {
            try await Task.sleep(for: .seconds(3600))
        }
        try await sim.stop()
    }
}

/// Writes a line to stdout at once (print is block-buffered when stdout is a file or pipe, and
/// scripts wait for the kubeconfig line).
private func say(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}

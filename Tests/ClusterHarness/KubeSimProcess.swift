import Foundation

/// `kube-sim` as a process on a free loopback port, with the Rollout CRD from `crds/`.
package struct KubeSimProcess: Sendable {
    package let process: ChildProcess
    /// The kubeconfig kube-sim wrote (admin token, its CA).
    package let kubeconfig: URL
    /// `127.0.0.1:<port>`, for Prometheus to scrape `/metrics`.
    package let address: String

    struct StartFailed: Error, CustomStringConvertible {
        var description: String
    }

    package static func start(in directory: URL) async throws -> KubeSimProcess {
        let kubeconfig = directory.appendingPathComponent("kubeconfig")
        let process = try ChildProcess.start(
            name: "kube-sim", executable: try Binaries.kubeSim(),
            arguments: [
                "--port", "0", "--kubeconfig-out", kubeconfig.path,
                "--crds", Binaries.repositoryRoot.appendingPathComponent("crds").path,
            ],
            logFile: directory.appendingPathComponent("kube-sim.log"))
        do {
            // The kubeconfig is written atomically once the server listens.
            let server = try await eventually("kube-sim to write its kubeconfig", timeout: .seconds(60)) {
                guard process.isRunning else { throw StartFailed(description: "kube-sim exited:\n\(process.logTail())") }
                let text = (try? String(contentsOf: kubeconfig, encoding: .utf8)) ?? ""
                let server = text.split(separator: "\n").first { $0.contains("server:") }
                return (server.map { String($0.split(separator: " ").last ?? "") }, "no kubeconfig yet")
            }
            guard let url = URL(string: server), let host = url.host, let port = url.port else {
                throw StartFailed(description: "kube-sim wrote an unexpected server address \(server)")
            }
            return KubeSimProcess(process: process, kubeconfig: kubeconfig, address: "\(host):\(port)")
        } catch {
            await process.stop()
            throw error
        }
    }
}

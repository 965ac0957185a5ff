import AsyncHTTPClient
import ClusterHarness
import Foundation
import KubeAPI
import KubeModels
import SimulatorHarness
import Testing

/// A controller told to keep its Lease in a namespace that does not exist says so, with the flags
/// that fix it, and is not ready; once the namespace exists it leads and becomes ready.
@Suite("Leader election in a namespace that does not exist", .timeLimit(.minutes(2)))
struct LeaseNamespaceTests {
    @Test func theControllerWarnsNamingTheNamespaceAndTheFlagsAndReadinessSaysWhy() async throws {
        let health = try freeLoopbackPort()
        try await withBinaryCluster { _, client, kubeconfig in
            let controller = try ControllerProcess(arguments: [
                "--kubeconfig", kubeconfig, "--leader-elect", "on", "--lease-namespace", "cutover-elsewhere",
                "--lease-duration", "4", "--renew-deadline", "3", "--retry-period", "0.5",
                "--health-address", "127.0.0.1:\(health)", "--metrics-address", "", "--log-level", "info",
            ])
            defer { controller.kill() }
            try await withHTTPClient { http in
                func readyz() async -> (Int, String) {
                    guard let response = try? await http.execute(HTTPClientRequest(url: "http://127.0.0.1:\(health)/readyz"), timeout: .seconds(5)),
                        let body = try? await response.body.collect(upTo: 4096)
                    else { return (0, "") }
                    return (Int(response.status.code), String(buffer: body))
                }
                let line = try await eventually("the warning", timeout: .seconds(20)) {
                    let log = controller.output
                    let warned = log.split(separator: "\n").first { $0.contains("warning") && $0.contains("cannot acquire the Lease cutover-elsewhere/cutover-controller") }
                    return (warned.map(String.init), "log:\n\(log)")
                }
                #expect(line.contains(#"namespaces "cutover-elsewhere" not found"#))
                #expect(line.contains("--lease-namespace"))
                #expect(line.contains("--leader-elect off"))
                let (status, body) = await readyz()
                #expect(status == 503)
                #expect(body.hasPrefix("not acting: cannot acquire the Lease cutover-elsewhere/cutover-controller:"), "\(body)")
                #expect(body.contains("not found"))

                // Fixed: the namespace appears, the controller leads, syncs and is ready.
                _ = try await client.create(Namespace(metadata: ObjectMeta(name: "cutover-elsewhere")))
                _ = try await eventually("ready once the namespace exists", timeout: .seconds(20)) {
                    let (status, body) = await readyz()
                    return (status == 200 ? true : nil, "/readyz \(status): \(body)")
                }
                let warnings = controller.output.components(separatedBy: "cannot acquire the Lease").count - 1
                #expect(warnings == 1, "one warning for one reason, however many retries:\n\(controller.output)")
            }
        }
    }
}

import Foundation
import KubeModels
import Testing
@testable import KubeSim

/// The installed kubectl against KubeSim where the issue-16 run against a real kube-apiserver
/// (v1.36) answered otherwise: what a user reads must be what a real cluster makes kubectl print.
@Suite("kubectl against KubeSim: real-server fidelity", .serialized)
struct KubectlFidelityTests {
    static let widget = KubectlTests.widgetYAML

    func withWidget(_ body: (KubeSim, Kubectl, TestClient) async throws -> Void) async throws {
        try await withSim(tls: true) { sim, client in
            let kubectl = try Kubectl(sim)
            #expect(try await kubectl("apply", "-f", Fixtures.widgetCRDPath).status == 0)
            let created = try await kubectl("apply", "-f", "-", input: Self.widget)
            #expect(created.stdout == "widget.test.kubesim.dev/w1 created\n", "\(created.stderr)")
            try await body(sim, kubectl, client)
        }
    }

    @Test("a bad name is refused with the real server's text")
    func badName() async throws {
        try await withWidget { _, kubectl, _ in
            let result = try await kubectl("apply", "-f", "-", input: Self.widget.replacingOccurrences(of: "name: w1", with: "name: C20-Bad-Name"))
            #expect(result.status != 0)
            #expect(result.stderr == "The Widget \"C20-Bad-Name\" is invalid: metadata.name: Invalid value: \"C20-Bad-Name\": \(NameValidationTests.subdomain)\n", "\(result.stderr)")
        }
    }
}

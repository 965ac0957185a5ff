import Foundation
import KubeModels
import KubeSim
import SimulatorHarness
import Testing
@testable import KubeAPI

extension KubeClient {
    /// Posts a fault plan to the simulator's admin endpoint.
    func injectFaults(_ plan: JSONValue) async throws {
        _ = try await perform(.POST, path: "/sim/faults", body: Self.encode(plan), verb: "POST", idempotent: false)
    }
}

/// Records every request the client makes, for assertions on retries and pagination.
final class RequestLog: Sendable {
    private let records = Mutex<[KubeClient.RequestRecord]>([])
    var all: [KubeClient.RequestRecord] { records.withLock { $0 } }
    func append(_ record: KubeClient.RequestRecord) { records.withLock { $0.append(record) } }
    func codes(_ verb: String) -> [Int] { all.filter { $0.verb == verb }.map(\.code) }
}

import Synchronization

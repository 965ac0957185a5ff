import Foundation
import KubeModels
import Testing
@testable import KubeSim

/// The sizes and depths a real API server accepts, so clients meet the same walls as in a cluster.
@Suite("Object limits: body size, stored size, nesting depth")
struct ObjectLimitsTests {
    @Test("a body over 3 MiB is 413; an object over etcd's 1.5 MiB is etcd's reasonless 500; nothing is stored")
    func sizes() async throws {
        try await withSim { _, client in
            let huge = try await client.post(Fixtures.configmaps, Fixtures.configMap("huge", data: ["k": String(repeating: "x", count: 3 << 20)]))
            #expect(huge.status == 413)
            #expect(huge.json["reason"] == "RequestEntityTooLarge")
            #expect(huge.json["message"] == "Request entity too large: limit is 3145728")

            let large = try await client.post(Fixtures.configmaps, Fixtures.configMap("large", data: ["k": String(repeating: "x", count: 1_600_000)]))
            #expect(large.status == 500)
            #expect(large.json["reason"] == nil)
            #expect(large.json["message"] == "etcdserver: request is too large")
            #expect(try await client.get(Fixtures.configmaps + "/large").status == 404)

            let fits = try await client.post(Fixtures.configmaps, Fixtures.configMap("fits", data: ["k": String(repeating: "x", count: 1_500_000)]))
            #expect(fits.status == 201)
            let grown = try await client.patch(
                Fixtures.configmaps + "/fits", #"{"data":{"more":"\#(String(repeating: "y", count: 100_000))"}}"#)
            #expect(grown.status == 500)
            #expect(try await client.get(Fixtures.configmaps + "/fits").json.at("data.more") == nil)
        }
    }

    @Test("a custom object nested 10,000 levels deep is stored and served; one level more is a 400")
    func depth() async throws {
        try await withSim { sim, client in
            try await Fixtures.installWidgets(sim)
            func nested(_ levels: Int) -> JSONValue {
                var value: JSONValue = "leaf"
                for _ in 0..<levels { value = ["a": value] }
                return value
            }
            // The widget and its spec are two levels: with 9,998 more the document is 10,000 deep.
            let deepest = try await client.post(Fixtures.widgets, Fixtures.widget("deep", extra: ["extra": nested(9_998)]))
            #expect(deepest.status == 201)
            let read = try await client.get(Fixtures.widgets + "/deep")
            #expect(read.status == 200)
            #expect(read.json.at("spec.extra") == nested(9_998))
            #expect(try await client.get(Fixtures.widgets).status == 200)

            let deeper = try await client.post(Fixtures.widgets, Fixtures.widget("deeper", extra: ["extra": nested(9_999)]))
            #expect(deeper.status == 400)
            #expect(deeper.json["message"]?.stringValue?.contains("nested too deeply") == true)
        }
    }
}

import Foundation
import KubeModels
import Testing
@testable import KubeSim

@Suite("HTTP/2: ALPN over TLS, watches as streams, many watches on one connection, GOAWAY")
struct HTTP2Tests {
    @Test("HTTPS negotiates h2 by ALPN and HTTP/1.1 with a client that offers only http/1.1")
    func negotiation() async throws {
        try await withSim(tls: true) { sim, client in
            let h2 = try await client.send("GET", "/api/v1/namespaces", curlOptions: ["--http2"])
            #expect(h2.protocolVersion == "HTTP/2")
            #expect(h2.status == 200)
            #expect(h2.json["items"]?.arrayValue?.count == 4)
            #expect(sim.connectionCounts == KubeSim.ConnectionCounts(http1: 0, http2: 1))
            let h1 = try await client.send("GET", "/api/v1/namespaces", curlOptions: ["--http1.1"])
            #expect(h1.protocolVersion == "HTTP/1.1")
            #expect(h1.json["items"]?.arrayValue?.count == 4)
            #expect(sim.connectionCounts == KubeSim.ConnectionCounts(http1: 1, http2: 1))
            // A request body over HTTP/2 (curl asks 100-continue only over HTTP/1.1).
            let created = try await client.send(
                "POST", Fixtures.configmaps, body: JSONWriter.string(Fixtures.configMap("over-h2")), curlOptions: ["--http2"])
            #expect(created.protocolVersion == "HTTP/2")
            #expect(created.status == 201)
        }
    }

    @Test("a malformed HTTP/1.1 request over TLS gets one 400, and the server serves on")
    func malformedRequestOverTLS() async throws {
        try await withSim(tls: true) { _, client in
            let bad = try await client.send("GET", "/api/v1/namespaces", curlOptions: ["--http1.1", "--request-target", "/api/v1/name spaces"])
            #expect(bad.status == 400)
            let good = try await client.send("GET", "/api/v1/namespaces", curlOptions: ["--http1.1"])
            #expect(good.status == 200)
        }
    }

    @Test("plain HTTP stays HTTP/1.1: an h2c upgrade offer is ignored")
    func plainHTTPIsHTTP1() async throws {
        try await withSim { sim, client in
            let response = try await client.send("GET", "/api/v1/namespaces", curlOptions: ["--http2"])
            #expect(response.protocolVersion == "HTTP/1.1")
            #expect(response.status == 200)
            #expect(sim.connectionCounts == KubeSim.ConnectionCounts(http1: 1, http2: 0))
        }
    }

    @Test("a watch over HTTP/2 streams ADDED for current objects, then live changes as JSON lines")
    func watchOverHTTP2() async throws {
        try await withSim(tls: true) { sim, client in
            _ = try await client.post(Fixtures.configmaps, Fixtures.configMap("before"))
            async let stream = client.send("GET", Fixtures.configmaps + "?watch=true&timeoutSeconds=2", curlOptions: ["--http2"])
            #expect(try await eventually { sim.openWatches == 1 }, "the watch to start")
            _ = try await client.post(Fixtures.configmaps, Fixtures.configMap("after"))
            _ = try await client.delete(Fixtures.configmaps + "/before")
            let response = try await stream
            #expect(response.status == 200)
            #expect(response.protocolVersion == "HTTP/2")
            let events = response.body.split(separator: "\n").map { (try? JSONParser.parse(String($0))) ?? .null }
            #expect(events.map { $0["type"] } == ["ADDED", "ADDED", "DELETED"])
            #expect(events.map { $0.at("object.metadata.name") } == ["before", "after", "before"])
        }
    }

    @Test("50 concurrent watches share one HTTP/2 connection and all see a change")
    func manyWatchesOneConnection() async throws {
        try await withSim(tls: true) { sim, client in
            let rv = try await client.get(Fixtures.configmaps).json.at("metadata.resourceVersion")?.stringValue ?? ""
            let url = sim.baseURL + Fixtures.configmaps + "?watch=true&timeoutSeconds=5&resourceVersion=\(rv)"
            // One curl: --parallel multiplexes the transfers as streams of one h2 connection.
            var arguments = ["-s", "-S", "--http2", "--parallel", "--parallel-max", "100", "--max-time", "20", "-N",
                             "--cacert", client.caFile ?? "", "-H", "Authorization: Bearer \(sim.token)",
                             "-w", "\\nprotocol=%{http_version}\\n"]
            for _ in 0..<50 { arguments.append(url) }
            let before = sim.connectionCounts
            async let output = TestClient.run("/usr/bin/curl", arguments)
            #expect(try await eventually(timeout: 15) { sim.openWatches == 50 }, "all 50 watches to open")
            #expect(sim.connectionCounts == KubeSim.ConnectionCounts(http1: 0, http2: before.http2 + 1))
            _ = try await client.post(Fixtures.configmaps, Fixtures.configMap("broadcast"))
            let lines = try await output.stdout.split(separator: "\n")
            #expect(lines.filter { $0 == "protocol=2" }.count == 50)
            #expect(lines.filter { $0.contains(#""name":"broadcast""#) && $0.contains(#""type":"ADDED""#) }.count == 50)
        }
    }

    @Test("GOAWAY closes the HTTP/2 connection: its watches end at once, not at timeoutSeconds")
    func goAwayEndsWatches() async throws {
        try await withSim(tls: true) { sim, client in
            let started = ContinuousClock.now
            async let stream = client.send("GET", Fixtures.configmaps + "?watch=true&timeoutSeconds=60", maxTime: 30, curlOptions: ["--http2"])
            #expect(try await eventually { sim.openWatches == 1 }, "the watch to start")
            #expect(await sim.goAwayHTTP2Connections() == 1)
            _ = try await stream
            #expect(ContinuousClock.now - started < .seconds(20))
            #expect(try await eventually { sim.openWatches == 0 }, "the server to drop the watch")
        }
    }

    @Test("kubectl negotiates HTTP/2 with KubeSim, as with a real API server")
    func kubectlSpeaksHTTP2() async throws {
        try await withSim(tls: true) { sim, _ in
            let kubectl = try Kubectl(sim)
            let result = try await kubectl("get", "namespaces", "-o", "name")
            #expect(result.status == 0)
            #expect(result.stdout.contains("namespace/default"))
            #expect(sim.connectionCounts.http2 >= 1)
            #expect(sim.connectionCounts.http1 == 0)
        }
    }
}

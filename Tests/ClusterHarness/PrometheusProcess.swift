import Foundation
import KubeModels

/// A real Prometheus (Debian's package) on a free loopback port with a temporary TSDB, scraping
/// kube-sim's HTTPS `/metrics` every second.
package struct PrometheusProcess: Sendable {
    package let process: ChildProcess
    package let port: Int
    package var address: String { "http://127.0.0.1:\(port)" }

    struct StartFailed: Error, CustomStringConvertible {
        var description: String
    }

    /// Starts Prometheus on a free port, or on `port` (a restart after a kill: the same address,
    /// TSDB and configuration, so Rollouts pointed at it find it again).
    package static func start(scraping target: String, in directory: URL, port fixed: Int? = nil) async throws -> PrometheusProcess {
        let binary = try Binaries.prometheus()
        var lastError: (any Error)?
        // A port found free can be taken before Prometheus binds it; try a few.
        for _ in 0..<3 {
            let port = try fixed ?? freeLoopbackPort()
            let config = directory.appendingPathComponent("prometheus.yml")
            try """
                global: {scrape_interval: 1s, scrape_timeout: 1s, evaluation_interval: 1s}
                scrape_configs:
                  - job_name: kube-sim
                    scheme: https
                    honor_labels: true
                    tls_config: {insecure_skip_verify: true}
                    static_configs: [{targets: ['\(target)']}]

                """.write(to: config, atomically: true, encoding: .utf8)
            let process = try ChildProcess.start(
                name: "prometheus", executable: binary,
                arguments: [
                    "--config.file=\(config.path)", "--storage.tsdb.path=\(directory.appendingPathComponent("tsdb-\(port)").path)",
                    "--web.listen-address=127.0.0.1:\(port)", "--log.level=warn", "--storage.tsdb.retention.time=1h",
                ],
                logFile: directory.appendingPathComponent("prometheus.log"))
            let server = PrometheusProcess(process: process, port: port)
            do {
                _ = try await eventually("prometheus to be ready on port \(port)", timeout: .seconds(60), interval: .milliseconds(100)) {
                    guard process.isRunning else { throw StartFailed(description: "prometheus exited:\n\(process.logTail())") }
                    return (await server.isReady() ? true : nil, "not ready")
                }
                return server
            } catch {
                await process.stop()
                lastError = error
            }
        }
        throw lastError ?? StartFailed(description: "prometheus did not start")
    }

    func isReady() async -> Bool {
        (try? await HTTPGet.status(of: "\(address)/-/ready")) == 200
    }

    /// The value of a PromQL instant query that returns at most one series; nil for an empty result.
    func value(of query: String) async throws -> Double? {
        var components = URLComponents(string: "\(address)/api/v1/query")!
        components.queryItems = [URLQueryItem(name: "query", value: query)]
        let body = try await HTTPGet.body(of: components.url!.absoluteString)
        let answer = try JSONDecoder().decode(QueryAnswer.self, from: body)
        guard let text = answer.data.result.first?.value.last?.stringValue else { return nil }
        return Double(text)
    }

    /// The part of `/api/v1/query`'s vector answer the tests read: `[time, "value"]` per series.
    private struct QueryAnswer: Decodable {
        struct Payload: Decodable { var result: [Series] }
        struct Series: Decodable { var value: [JSONValue] }
        var data: Payload
    }
}

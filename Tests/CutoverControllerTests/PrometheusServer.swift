import AsyncHTTPClient
import ClusterHarness
import Foundation
import SimulatorHarness
import NIOCore

#if canImport(Glibc)
import Glibc
#endif

/// A real Prometheus (Debian's `prometheus` package) on a free loopback port, with a generated
/// config scraping the given targets every second and a temporary TSDB. Use ``with(scraping:_:)``:
/// the process is killed and its directory removed however the body ends.
final class PrometheusServer: @unchecked Sendable {
    /// The binary is missing: the tests fail (never skip) and say how to install it.
    struct NotInstalled: Error, CustomStringConvertible {
        var description: String {
            "the prometheus binary is not installed (looked for /usr/bin/prometheus and prometheus on PATH); "
                + "install it with `apt-get install -y prometheus` (Debian/Ubuntu), or run `.ci/run`, which does"
        }
    }

    struct StartFailed: Error, CustomStringConvertible {
        var description: String
    }

    let port: Int
    let directory: URL
    private let process: Process
    var baseURL: String { "http://127.0.0.1:\(port)" }

    private init(port: Int, directory: URL, process: Process) {
        self.port = port
        self.directory = directory
        self.process = process
    }

    /// Starts Prometheus, runs `body`, then stops it and removes its files, also when `body` throws.
    static func with<T>(scraping targets: [String], _ body: (PrometheusServer) async throws -> T) async throws -> T {
        let server = try await start(scraping: targets)
        do {
            let result = try await body(server)
            server.stop()
            return result
        } catch {
            server.stop()
            throw error
        }
    }

    /// `/usr/bin/prometheus`, then `prometheus` on `PATH`.
    static var candidates: [String] {
        ["/usr/bin/prometheus"] + (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map { "\($0)/prometheus" }
    }

    /// The first executable of `candidates`; throws ``NotInstalled`` (a test failure saying how to
    /// install it) when there is none.
    static func binary(candidates: [String] = candidates) throws -> String {
        guard let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else { throw NotInstalled() }
        return found
    }

    static func start(scraping targets: [String]) async throws -> PrometheusServer {
        let binary = try binary()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("cutover-prometheus-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        do {
            // A port found free can be taken before Prometheus binds it; try a few.
            var lastError: (any Error)?
            for _ in 0..<3 {
                do {
                    return try await launch(binary: binary, directory: directory, port: try freeLoopbackPort(), targets: targets)
                } catch {
                    lastError = error
                }
            }
            throw lastError ?? StartFailed(description: "Prometheus did not start")
        } catch {
            try? FileManager.default.removeItem(at: directory)
            throw error
        }
    }

    private static func launch(binary: String, directory: URL, port: Int, targets: [String]) async throws -> PrometheusServer {
        let targetList = (targets + ["127.0.0.1:\(port)"]).map { "'\($0)'" }.joined(separator: ", ")
        let config = """
            global:
              scrape_interval: 1s
              scrape_timeout: 1s
              evaluation_interval: 1s
            scrape_configs:
              - job_name: cutover-test
                honor_labels: true
                static_configs:
                  - targets: [\(targetList)]

            """
        let configFile = directory.appendingPathComponent("prometheus.yml")
        try config.write(to: configFile, atomically: true, encoding: .utf8)
        let logFile = directory.appendingPathComponent("prometheus-\(port).log")
        _ = FileManager.default.createFile(atPath: logFile.path, contents: nil)
        let log = try FileHandle(forWritingTo: logFile)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = [
            "--config.file=\(configFile.path)", "--storage.tsdb.path=\(directory.appendingPathComponent("data-\(port)").path)",
            "--web.listen-address=127.0.0.1:\(port)", "--log.level=warn", "--storage.tsdb.retention.time=1h",
        ]
        process.standardOutput = log
        process.standardError = log
        try process.run()
        let server = PrometheusServer(port: port, directory: directory, process: process)
        do {
            try await server.waitUntilReady(log: logFile)
            return server
        } catch {
            server.kill()
            throw error
        }
    }

    /// Polls `/-/ready` until 200, failing early if the process exits.
    private func waitUntilReady(log: URL) async throws {
        let http = HTTPClient(eventLoopGroupProvider: .singleton)
        do {
            try await poll(http, log: log)
        } catch {
            try? await http.shutdown()
            throw error
        }
        try await http.shutdown()
    }

    private func poll(_ http: HTTPClient, log: URL) async throws {
        let deadline = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < deadline {
            guard process.isRunning else {
                let output = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
                throw StartFailed(description: "prometheus exited with \(process.terminationStatus):\n\(output.suffix(2000))")
            }
            var request = HTTPClientRequest(url: "\(baseURL)/-/ready")
            request.method = .GET
            if let response = try? await http.execute(request, timeout: .seconds(1)), response.status == .ok { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw StartFailed(description: "prometheus on port \(port) was not ready within 30s")
    }

    /// Freezes the process (SIGSTOP): it keeps its socket but answers nothing, like a hung server.
    /// Returns once the kernel reports every thread stopped, so no request is answered after it.
    func freeze() {
        let pid = process.processIdentifier
        Glibc.kill(pid, SIGSTOP)
        let deadline = ContinuousClock.now + .seconds(5)
        while ContinuousClock.now < deadline {
            let tasks = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/task")) ?? []
            let states = tasks.compactMap { try? String(contentsOfFile: "/proc/\(pid)/task/\($0)/stat", encoding: .utf8) }
                .compactMap { $0.split(separator: ")").last?.split(separator: " ").first }
            if !states.isEmpty, states.allSatisfy({ $0 == "T" || $0 == "t" }) { return }
            usleep(1_000)
        }
    }

    /// Kills the process and waits for it, without removing its files.
    func kill() {
        guard process.isRunning else { return }
        Glibc.kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    /// Kills the process and removes its directory.
    func stop() {
        kill()
        try? FileManager.default.removeItem(at: directory)
    }
}


import Foundation
import KubeModels
@testable import KubeSim

/// A response as the tests see it.
struct TestResponse: Sendable {
    var status: Int
    var headers: [(String, String)]
    var body: String
    /// The protocol of the status line: `HTTP/1.1` or `HTTP/2`.
    var protocolVersion = ""

    /// The body parsed as JSON (`null` when it is not JSON).
    var json: JSONValue { (try? JSONParser.parse(body)) ?? .null }

    func header(_ name: String) -> [String] {
        headers.filter { $0.0.lowercased() == name.lowercased() }.map(\.1)
    }
}

/// An HTTP client for the protocol tests: the installed `curl`, so requests go over real sockets
/// (and real TLS) without depending on the KubeAPI client module.
struct TestClient: Sendable {
    let baseURL: String
    let token: String?
    let caFile: String?

    init(_ sim: KubeSim, token: String? = nil, withToken: Bool = true) throws {
        baseURL = sim.baseURL
        self.token = withToken ? (token ?? sim.token) : nil
        if sim.caCertificatePEM.isEmpty {
            caFile = nil
        } else {
            let path = TestClient.temporaryPath("ca.pem")
            try sim.caCertificatePEM.write(toFile: path, atomically: true, encoding: .utf8)
            caFile = path
        }
    }

    static func temporaryPath(_ name: String) -> String {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("kubesim-tests-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return directory.appendingPathComponent(name).path
    }

    func get(_ path: String, accept: String? = nil) async throws -> TestResponse {
        try await send("GET", path, headers: accept.map { ["Accept": $0] } ?? [:])
    }

    func post(_ path: String, _ body: JSONValue) async throws -> TestResponse {
        try await send("POST", path, body: JSONWriter.string(body))
    }

    func put(_ path: String, _ body: JSONValue) async throws -> TestResponse {
        try await send("PUT", path, body: JSONWriter.string(body))
    }

    func patch(_ path: String, _ body: String, type: String = "application/merge-patch+json") async throws -> TestResponse {
        try await send("PATCH", path, body: body, contentType: type)
    }

    func delete(_ path: String, _ body: JSONValue? = nil) async throws -> TestResponse {
        try await send("DELETE", path, body: body.map(JSONWriter.string))
    }

    /// Sends one request; `maxTime` bounds streaming responses (watches). `curlOptions` go to curl
    /// as they are (`--http1.1`, `--http2`); without them curl offers `h2` over TLS.
    func send(
        _ method: String, _ path: String, body: String? = nil, contentType: String = "application/json",
        headers: [String: String] = [:], maxTime: Double = 20, curlOptions: [String] = []
    ) async throws -> TestResponse {
        let headerFile = TestClient.temporaryPath("headers")
        var arguments = ["-s", "-S", "-X", method, "-D", headerFile, "--max-time", String(maxTime), "-N"] + curlOptions
        if let caFile { arguments += ["--cacert", caFile] }
        if let token { arguments += ["-H", "Authorization: Bearer \(token)"] }
        for (name, value) in headers { arguments += ["-H", "\(name): \(value)"] }
        if body != nil {
            arguments += ["-H", "Content-Type: \(contentType)", "--data-binary", "@-"]
        }
        arguments.append(baseURL + path)
        let output = try await TestClient.run("/usr/bin/curl", arguments, input: body)
        let headerText = (try? String(contentsOfFile: headerFile, encoding: .utf8)) ?? ""
        var status = 0
        var version = ""
        var parsed: [(String, String)] = []
        for line in headerText.components(separatedBy: "\r\n") {
            if line.hasPrefix("HTTP/") {
                version = String(line.split(separator: " ").first ?? "")
                status = Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0
                parsed = []
            } else if let colon = line.firstIndex(of: ":") {
                parsed.append((String(line[..<colon]), String(line[line.index(after: colon)...]).trimmingSpaces))
            }
        }
        return TestResponse(status: status, headers: parsed, body: output.stdout, protocolVersion: version)
    }

    struct ProcessOutput: Sendable {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// Runs a program to completion without blocking the cooperative pool; output goes through
    /// files so a chatty stderr can never dead-lock a pipe.
    static func run(_ program: String, _ arguments: [String], input: String? = nil, environment: [String: String]? = nil) async throws -> ProcessOutput {
        try await withCheckedThrowingContinuation { continuation in
            // A thread of its own: blocking in waitUntilExit on a shared pool starves other tests.
            let thread = Thread {
                let outPath = temporaryPath("stdout")
                let errPath = temporaryPath("stderr")
                _ = FileManager.default.createFile(atPath: outPath, contents: nil)
                _ = FileManager.default.createFile(atPath: errPath, contents: nil)
                let process = Process()
                process.executableURL = URL(fileURLWithPath: program)
                process.arguments = arguments
                if let environment { process.environment = environment }
                let stdin = Pipe()
                process.standardOutput = FileHandle(forWritingAtPath: outPath)
                process.standardError = FileHandle(forWritingAtPath: errPath)
                process.standardInput = stdin
                do {
                    try process.run()
                } catch {
                    continuation.resume(throwing: error)
                    return
                }
                if let input { stdin.fileHandleForWriting.write(Data(input.utf8)) }
                try? stdin.fileHandleForWriting.close()
                process.waitUntilExit()
                continuation.resume(returning: ProcessOutput(
                    status: process.terminationStatus,
                    stdout: (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? "",
                    stderr: (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? ""))
            }
            thread.start()
        }
    }
}

/// Starts a plain-HTTP simulator without workloads for protocol tests, and stops it afterwards.
func withSim<T>(
    tls: Bool = false, gc: Bool = true, history: Int = 10_000, workloads: Bool = false,
    _ body: (KubeSim, TestClient) async throws -> T
) async throws -> T {
    var options = KubeSim.Options()
    options.plainHTTP = !tls
    options.garbageCollection = gc
    options.watchHistoryLimit = history
    options.simulateWorkloads = workloads
    options.tickInterval = .milliseconds(50)
    let sim = try await KubeSim.start(options)
    do {
        let result = try await body(sim, try TestClient(sim))
        try await sim.stop()
        return result
    } catch {
        try? await sim.stop()
        throw error
    }
}

/// Polls `condition` until it holds or `timeout` passes; never asserts on a bare sleep.
func eventually(timeout: Double = 10, _ condition: () async throws -> Bool) async rethrows -> Bool {
    let deadline = Date().addingTimeInterval(timeout)
    while Date() < deadline {
        if try await condition() { return true }
        try? await Task.sleep(for: .milliseconds(50))
    }
    return try await condition()
}

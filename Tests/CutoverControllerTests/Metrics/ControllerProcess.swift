import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// The built `cutover-controller` binary running as a child process, its output in a temporary
/// log file. Killed (SIGKILL) by ``kill()`` or on deinit if still running, so a failing test never
/// leaves it behind.
final class ControllerProcess: @unchecked Sendable {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    private let process: Process
    let log: URL

    /// The binary `swift build` put next to the test bundle (`.build/<config>/cutover-controller`).
    static func binary() throws -> String {
        let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
        let candidates = [
            URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("cutover-controller"),
            Bundle.main.bundleURL.appendingPathComponent("cutover-controller"),
            Bundle.main.bundleURL.deletingLastPathComponent().appendingPathComponent("cutover-controller"),
            packageRoot.appendingPathComponent(".build/debug/cutover-controller"),
        ].map(\.path)
        guard let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            throw Failure(description: "cutover-controller is not built (looked at \(candidates)); run `swift build --build-tests` first")
        }
        return found
    }

    /// Starts the binary with `arguments`.
    init(arguments: [String]) throws {
        log = FileManager.default.temporaryDirectory.appendingPathComponent("cutover-controller-\(UUID().uuidString).log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        let handle = try FileHandle(forWritingTo: log)
        process = Process()
        process.executableURL = URL(fileURLWithPath: try Self.binary())
        process.arguments = arguments
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
    }

    deinit {
        kill()
        try? FileManager.default.removeItem(at: log)
    }

    var isRunning: Bool { process.isRunning }

    /// The process' output so far (the end of it).
    var output: String { String(((try? String(contentsOf: log, encoding: .utf8)) ?? "").suffix(4000)) }

    /// Sends `signal` (SIGTERM, SIGINT) to the process.
    func send(_ signal: Int32) {
        Glibc.kill(process.processIdentifier, signal)
    }

    /// Waits up to `timeout` for the process to exit; returns its exit status, or nil if it still
    /// runs (or was ended by a signal: then the status is 128 + the signal).
    func waitForExit(timeout: Duration) async -> Int32? {
        let deadline = ContinuousClock.now + timeout
        while process.isRunning, ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(20))
        }
        guard !process.isRunning else { return nil }
        return process.terminationReason == .exit ? process.terminationStatus : 128 + process.terminationStatus
    }

    /// Kills the process at once and waits for it.
    func kill() {
        guard process.isRunning else { return }
        Glibc.kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }
}

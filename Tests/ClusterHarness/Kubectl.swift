import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// The real `kubectl`, run as a user would with `KUBECONFIG` pointing at the test's KubeSim.
package struct Kubectl: Sendable {
    /// What one kubectl invocation printed and how it exited.
    package struct Result: Sendable {
        package var status: Int32
        package var stdout: String
        package var stderr: String
    }

    /// kubectl exited non-zero (or hung): the command, its exit status and what it said.
    struct Failed: Error, CustomStringConvertible {
        var command: String
        var result: Result
        var description: String {
            "`kubectl \(command)` exited with \(result.status): \(result.stderr.trimmingCharacters(in: .whitespacesAndNewlines))"
                + (result.stdout.isEmpty ? "" : "\nstdout: \(result.stdout.prefix(2000))")
        }
    }

    let binary: String
    let kubeconfig: String
    /// Where the output files of each run go (the test's temporary directory).
    let scratch: URL

    package init(binary: String, kubeconfig: String, scratch: URL) {
        self.binary = binary
        self.kubeconfig = kubeconfig
        self.scratch = scratch
    }

    /// Runs kubectl and returns its stdout; throws ``Failed`` on a non-zero exit.
    @discardableResult
    package func callAsFunction(_ arguments: String..., timeout: Duration = .seconds(60)) async throws -> String {
        try await run(arguments, timeout: timeout).stdout
    }

    /// Runs kubectl; throws ``Failed`` on a non-zero exit unless `allowFailure`.
    package func run(_ arguments: [String], allowFailure: Bool = false, timeout: Duration = .seconds(60)) async throws -> Result {
        let id = UUID().uuidString
        let out = scratch.appendingPathComponent("kubectl-\(id).out")
        let err = scratch.appendingPathComponent("kubectl-\(id).err")
        _ = FileManager.default.createFile(atPath: out.path, contents: nil)
        _ = FileManager.default.createFile(atPath: err.path, contents: nil)
        defer {
            try? FileManager.default.removeItem(at: out)
            try? FileManager.default.removeItem(at: err)
        }
        let outHandle = try FileHandle(forWritingTo: out)
        let errHandle = try FileHandle(forWritingTo: err)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = arguments
        var environment = ProcessInfo.processInfo.environment
        environment["KUBECONFIG"] = kubeconfig
        // `kubectl cutover` finds the plugin built beside the other products, as a user's PATH would.
        environment["PATH"] = Binaries.productsDirectory.path + ":" + (environment["PATH"] ?? "/usr/bin:/bin")
        process.environment = environment
        process.standardOutput = outHandle
        process.standardError = errHandle
        process.standardInput = FileHandle.nullDevice
        try process.run()
        try? outHandle.close()
        try? errHandle.close()
        let deadline = ContinuousClock.now + timeout
        while process.isRunning {
            if ContinuousClock.now > deadline || Task.isCancelled {
                kill(process.processIdentifier, SIGKILL)
                while process.isRunning { try? await Task.sleep(for: .milliseconds(10)) }
                break
            }
            try? await Task.sleep(for: .milliseconds(10))
        }
        let result = Result(
            status: process.terminationStatus,
            stdout: (try? String(contentsOf: out, encoding: .utf8)) ?? "",
            stderr: (try? String(contentsOf: err, encoding: .utf8)) ?? "")
        if result.status != 0, !allowFailure {
            throw Failed(command: arguments.joined(separator: " "), result: result)
        }
        return result
    }
}

/// Runs one of the hack/ programs (`cutover-fuzz`, `cutover-chaos`) to its end, with kubectl's
/// process runner, and returns its exit status and everything it printed.
func runProgram(_ binary: String, _ arguments: [String], timeout: Duration) async throws -> (status: Int32, output: String) {
    let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("cutover-program-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: scratch) }
    let result = try await Kubectl(binary: binary, kubeconfig: "", scratch: scratch).run(arguments, allowFailure: true, timeout: timeout)
    return (result.status, result.stdout + result.stderr)
}

import Foundation
import KubeModels

/// Runs an exec credential plugin (`client.authentication.k8s.io/v1`) and reads its
/// `ExecCredential` from standard output.
enum ExecCredentialRunner {
    struct Credential: Sendable {
        var token: String
        var expiration: Date?
    }

    private struct ExecCredential: Decodable {
        struct CredentialStatus: Decodable {
            var token: String?
            var expirationTimestamp: Timestamp?
            var clientCertificateData: String?
            var clientKeyData: String?
        }
        var apiVersion: String?
        var kind: String?
        var status: CredentialStatus?
    }

    static func run(_ plugin: KubeConfig.ExecPlugin, server: String) async throws -> Credential {
        let (exitCode, stdout, stderr) = try await execute(plugin)
        let name = plugin.command
        guard exitCode == 0 else {
            throw ConfigError.execPluginFailed(
                command: name, reason: "exited with status \(exitCode) (\(plugin.entry))", stderr: stderr)
        }
        let credential: ExecCredential
        do {
            credential = try JSONDecoder().decode(ExecCredential.self, from: Data(stdout.utf8))
        } catch {
            throw ConfigError.execPluginFailed(
                command: name, reason: "did not print an ExecCredential JSON object (\(plugin.entry))", stderr: stderr)
        }
        guard credential.kind == nil || credential.kind == "ExecCredential" else {
            throw ConfigError.execPluginFailed(command: name, reason: "printed kind \(credential.kind!), not ExecCredential", stderr: stderr)
        }
        guard let token = credential.status?.token, !token.isEmpty else {
            let reason = credential.status?.clientCertificateData != nil
                ? "returned a client certificate; only token credentials from exec plugins are supported"
                : "returned no status.token"
            throw ConfigError.execPluginFailed(command: name, reason: reason, stderr: stderr)
        }
        return Credential(token: token, expiration: credential.status?.expirationTimestamp?.date)
    }

    /// Runs the plugin off the cooperative thread pool (Process and pipe reads block).
    private static func execute(_ plugin: KubeConfig.ExecPlugin) async throws -> (Int32, String, String) {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                let process = Process()
                if plugin.command.contains("/") {
                    process.executableURL = URL(fileURLWithPath: plugin.command)
                    process.arguments = plugin.args
                } else {
                    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
                    process.arguments = [plugin.command] + plugin.args
                }
                var environment = ProcessInfo.processInfo.environment
                for (key, value) in plugin.env { environment[key] = value }
                environment["KUBERNETES_EXEC_INFO"] =
                    #"{"apiVersion":"\#(plugin.apiVersion)","kind":"ExecCredential","spec":{"interactive":false}}"#
                process.environment = environment
                let out = Pipe()
                let err = Pipe()
                process.standardOutput = out
                process.standardError = err
                process.standardInput = FileHandle.nullDevice
                do {
                    try process.run()
                } catch {
                    continuation.resume(throwing: ConfigError.execPluginFailed(
                        command: plugin.command, reason: "cannot start: \(error.localizedDescription) (\(plugin.entry))", stderr: ""))
                    return
                }
                // Drain stderr on its own thread so a chatty plugin cannot fill the pipe and stall.
                let errorData = LockedData()
                let group = DispatchGroup()
                group.enter()
                DispatchQueue.global().async {
                    errorData.set(err.fileHandleForReading.readDataToEndOfFile())
                    group.leave()
                }
                let outData = out.fileHandleForReading.readDataToEndOfFile()
                group.wait()
                process.waitUntilExit()
                continuation.resume(returning: (
                    process.terminationStatus, String(decoding: outData, as: UTF8.self),
                    String(decoding: errorData.get(), as: UTF8.self)))
            }
        }
    }
}

/// A Data box written by one thread and read by another after a DispatchGroup wait.
private final class LockedData: @unchecked Sendable {
    private let lock = NSLock()
    private var data = Data()
    func set(_ value: Data) { lock.withLock { data = value } }
    func get() -> Data { lock.withLock { data } }
}

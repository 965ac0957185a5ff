import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A process the tests started, with its stdout and stderr in a log file. Children are started
/// under `setpriv --pdeathsig KILL` (when present) from one thread that lives as long as the test
/// process, so they die with it even if the tests crash; a normal run kills them explicitly.
package final class ChildProcess: @unchecked Sendable {
    /// A short name for messages: `kube-sim`, `controller-a`, `prometheus`.
    package let name: String
    package let logFile: URL
    private let process: Process

    private init(name: String, logFile: URL, process: Process) {
        self.name = name
        self.logFile = logFile
        self.process = process
    }

    package var pid: Int32 { process.processIdentifier }
    package var isRunning: Bool { process.isRunning }
    /// The exit status once it has exited (the signal's number when a signal ended it).
    package var exitStatus: Int32 { process.terminationStatus }
    /// Whether a signal ended it (a crash, unless the signal was sent on purpose).
    package var endedBySignal: Bool { !process.isRunning && process.terminationReason == .uncaughtSignal }

    /// The high-water mark of its resident memory (`VmHWM`), in bytes; 0 once it has exited.
    package var peakResidentBytes: Int {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
            let line = text.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") })
        else { return 0 }
        return (Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0) << 10
    }

    /// Starts `executable` with `arguments`, appending its output to `logFile`.
    package static func start(
        name: String, executable: String, arguments: [String], environment: [String: String] = [:], logFile: URL
    ) throws -> ChildProcess {
        if !FileManager.default.fileExists(atPath: logFile.path) {
            _ = FileManager.default.createFile(atPath: logFile.path, contents: nil)
        }
        let log = try FileHandle(forWritingTo: logFile)
        log.seekToEndOfFile()
        let process = Process()
        if let setpriv = Self.setpriv {
            // The death signal survives exec, so the pid below is the binary itself (SIGKILL reaches it).
            process.executableURL = URL(fileURLWithPath: setpriv)
            process.arguments = ["--pdeathsig", "KILL", "--", executable] + arguments
        } else {
            process.executableURL = URL(fileURLWithPath: executable)
            process.arguments = arguments
        }
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        process.standardOutput = log
        process.standardError = log
        process.standardInput = FileHandle.nullDevice
        let spawned = UncheckedSendable(process)
        try SpawnThread.shared.run { try spawned.value.run() }
        try? log.close()
        return ChildProcess(name: name, logFile: logFile, process: process)
    }

    private static let setpriv: String? = ["/usr/bin/setpriv", "/bin/setpriv"].first {
        FileManager.default.isExecutableFile(atPath: $0)
    }

    /// Sends `signal` and waits (up to `timeout`) until the process has exited; SIGKILL after that.
    package func stop(signal: Int32 = SIGKILL, timeout: Duration = .seconds(10)) async {
        guard process.isRunning else { return }
        Glibc.kill(process.processIdentifier, signal)
        let deadline = ContinuousClock.now + timeout
        while process.isRunning, ContinuousClock.now < deadline, !Task.isCancelled {
            try? await Task.sleep(for: .milliseconds(20))
        }
        if process.isRunning {
            Glibc.kill(process.processIdentifier, SIGKILL)
            while process.isRunning { try? await Task.sleep(for: .milliseconds(20)) }
        }
    }

    /// Synchronous last-resort kill for cleanup paths that cannot await.
    func killNow() {
        if process.isRunning { Glibc.kill(process.processIdentifier, SIGKILL) }
    }

    /// The whole log so far.
    var log: String { (try? String(contentsOf: logFile, encoding: .utf8)) ?? "" }

    /// The last `lines` lines of the log, for failure messages.
    package func logTail(_ lines: Int = 40) -> String {
        log.split(separator: "\n", omittingEmptySubsequences: false).suffix(lines).joined(separator: "\n")
    }
}

/// One thread that never exits and starts every child process: Linux sends a child's
/// parent-death signal when the *thread* that forked it exits, and the cooperative pool's threads
/// may come and go.
final class SpawnThread: @unchecked Sendable {
    static let shared = SpawnThread()
    private let condition = NSCondition()
    private var jobs: [() -> Void] = []

    private init() {
        let thread = Thread { [unowned self] in self.loop() }
        thread.name = "e2e-spawn"
        thread.start()
    }

    private func loop() {
        while true {
            condition.lock()
            while jobs.isEmpty { condition.wait() }
            let job = jobs.removeFirst()
            condition.unlock()
            job()
        }
    }

    /// Runs `body` on the spawn thread and returns its result; blocks the caller only for the
    /// duration of a `posix_spawn`.
    func run(_ body: @escaping @Sendable () throws -> Void) throws {
        let done = DispatchSemaphore(value: 0)
        let failure = LockedValue<(any Error)?>(nil)
        condition.lock()
        jobs.append {
            do { try body() } catch { failure.set(error) }
            done.signal()
        }
        condition.signal()
        condition.unlock()
        done.wait()
        if let error = failure.get { throw error }
    }
}

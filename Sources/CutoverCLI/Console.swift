import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Where a command writes: standard output and error, and whether standard output is a terminal
/// (redraw in place) or not (plain lines, no escape codes, for logs and pipes).
public struct Console: Sendable {
    /// Whether standard output is a terminal.
    public let isTerminal: Bool
    private let out: @Sendable (String) -> Void
    private let err: @Sendable (String) -> Void

    /// A console writing through the given functions (each call gets whole lines with their newline).
    public init(isTerminal: Bool, out: @escaping @Sendable (String) -> Void, err: @escaping @Sendable (String) -> Void) {
        self.isTerminal = isTerminal
        self.out = out
        self.err = err
    }

    /// The process's standard output and error; a terminal when `isatty(1)` says so.
    public static func standard() -> Console {
        Console(
            isTerminal: isatty(1) == 1,
            out: { writeAll(1, $0) },
            err: { writeAll(2, $0) })
    }

    /// Writes all of `text` to the file descriptor, unbuffered, so lines appear as they happen.
    private static func writeAll(_ descriptor: Int32, _ text: String) {
        var bytes = Array(text.utf8)[...]
        while !bytes.isEmpty {
            let written = bytes.withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress, $0.count) }
            if written < 0 {
                if errno == EINTR { continue }
                return
            }
            bytes = bytes.dropFirst(written)
        }
    }

    /// Writes `line` and a newline to standard output.
    public func print(_ line: String) { out(line + "\n") }

    /// Writes `text` as is to standard output (for redraws).
    public func write(_ text: String) { out(text) }

    /// Writes `line` and a newline to standard error.
    public func printError(_ line: String) { err(line + "\n") }
}

/// Everything a ``Console`` made by ``CapturedConsole/init(isTerminal:)`` wrote, for tests and callers
/// that want the text.
public final class CapturedConsole: Sendable {
    private final class Buffer: Sendable {
        let state = Mutex<(out: String, err: String)>(("", ""))
    }

    private let buffer = Buffer()
    /// The console that writes here.
    public let console: Console

    public init(isTerminal: Bool = false) {
        let buffer = self.buffer
        console = Console(
            isTerminal: isTerminal,
            out: { text in buffer.state.withLock { $0.out += text } },
            err: { text in buffer.state.withLock { $0.err += text } })
    }

    /// Standard output so far.
    public var output: String { buffer.state.withLock { $0.out } }
    /// Standard error so far.
    public var errors: String { buffer.state.withLock { $0.err } }
}

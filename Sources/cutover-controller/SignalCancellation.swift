import Dispatch
import Foundation
import Logging

/// Turns SIGTERM and SIGINT into cancellation of structured work.
enum SignalCancellation {
    /// Runs `body` until it returns or a SIGTERM/SIGINT arrives; a signal cancels `body`'s task and
    /// waits for it to wind down (the controller finishes its reconciles in flight). A second
    /// signal exits at once.
    static func untilSignalled(
        logger: Logger, _ body: @escaping @Sendable () async throws -> Void
    ) async throws {
        let signals = [SIGTERM, SIGINT]
        // Ignored at the process level so only the dispatch sources see them.
        for number in signals { signal(number, SIG_IGN) }
        let queue = DispatchQueue(label: "cutover.signals")
        let (received, continuation) = AsyncStream.makeStream(of: Int32.self)
        let sources = signals.map { number in
            let source = DispatchSource.makeSignalSource(signal: number, queue: queue)
            source.setEventHandler { continuation.yield(number) }
            source.resume()
            return source
        }
        defer {
            for source in sources { source.cancel() }
            continuation.finish()
        }
        // Unstructured so the watcher can cancel it; its result is awaited below, so it never
        // outlives this call.
        let work = Task { try await body() }
        let watcher = Task {
            var count = 0
            for await number in received {
                count += 1
                if count > 1 {
                    logger.warning("second signal; exiting now")
                    exit(1)
                }
                logger.info("signal \(number) received; shutting down gracefully")
                work.cancel()
            }
        }
        defer { watcher.cancel() }
        try await withTaskCancellationHandler {
            try await work.value
        } onCancel: {
            work.cancel()
        }
    }
}

import Dispatch
import Foundation
import Logging
import ServiceLifecycle

/// Ends the process with status 1 when a graceful shutdown has not finished `seconds` after it
/// began (typically a request to an API server that stopped answering). ServiceLifecycle's own
/// bound ends it with a fatal error and a crash report, which reads like a bug to whoever is on
/// call; one log line and a plain exit status say what happened.
struct ShutdownDeadline: Service {
    let seconds: Double
    let logger: Logger

    func run() async throws {
        // Returns when the graceful shutdown begins; throws if the group is cancelled first.
        try await gracefulShutdown()
        let seconds = seconds, logger = logger
        DispatchQueue.global().asyncAfter(deadline: .now() + seconds) {
            logger.error("shutdown did not finish within \(seconds)s (an API request still waiting?); exiting")
            exit(1)
        }
    }
}

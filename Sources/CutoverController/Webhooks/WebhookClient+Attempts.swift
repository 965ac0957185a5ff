import Cutover

extension WebhookClient {
    /// How a series of attempts ended.
    struct Attempts: Sendable, Hashable {
        /// Whether an attempt got a 2xx.
        var succeeded: Bool
        /// Attempts made.
        var count: Int
        /// The last answer (`HTTP 503: …`) or why there was none.
        var message: String
    }

    /// POSTs `body` until an attempt gets a 2xx, at most `attempts` times, 1 s, 2 s, 4 s … apart
    /// (``GateHook/retryDelaySeconds(afterAttempt:)``). A non-2xx answer is tried again only when
    /// `retryable` says so; no answer at all (a timeout, a refused connection, a URL that cannot be
    /// read) always is. The URL is resolved for every attempt, so a fixed Secret is picked up.
    /// Returns nil when the calling task is cancelled: no outcome.
    func post(
        attempts: Int, target: OutboundPolicy.Target, timeout: Int64, body: [UInt8], url: @Sendable () async throws -> String,
        headers: @Sendable (_ attempt: Int) -> [(String, String)], retryable: @Sendable (Response) -> Bool,
        failedAttempt: (_ attempt: Int, _ message: String) -> Void
    ) async -> Attempts? {
        let attempts = max(1, attempts)
        var message = ""
        for attempt in 1...attempts {
            if Task.isCancelled { return nil }
            var retry = true
            do {
                let response = try await send(try await url(), target: target, body: body, headers: headers(attempt), timeout: timeout)
                message = response.summary
                if response.isSuccess { return Attempts(succeeded: true, count: attempt, message: message) }
                retry = retryable(response)
            } catch let Failure.refused(refusal) {
                // The policy will not change its mind on the next attempt.
                failedAttempt(attempt, refusal)
                return Attempts(succeeded: false, count: attempt, message: refusal)
            } catch {
                if Task.isCancelled { return nil }
                message = String(describing: error)
            }
            failedAttempt(attempt, message)
            guard retry, attempt < attempts else { return Attempts(succeeded: false, count: attempt, message: message) }
            try? await Task.sleep(for: .seconds(GateHook.retryDelaySeconds(afterAttempt: attempt)))
        }
        return Attempts(succeeded: false, count: attempts, message: message)
    }
}

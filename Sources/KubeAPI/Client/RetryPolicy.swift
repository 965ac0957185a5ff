/// When a failed request is tried again.
///
/// - A 429 or 5xx with a `Retry-After` header is retried after that many seconds, for any verb:
///   the server said it did not process the request (client-go does the same, up to 10 times).
/// - Without the header, only idempotent requests (GET, PUT with a resourceVersion, DELETE, merge
///   patch, server-side apply) are retried on 429, 5xx and transport errors, with capped
///   exponential backoff and full jitter. A create or a JSON patch is never retried blindly; a
///   create whose caller says its name is fixed (`retryingByName`) is, as a repeat is AlreadyExists.
public struct RetryPolicy: Sendable {
    /// Attempts in all (1 = no retry) when the server sent `Retry-After`.
    public var maxRetryAfterAttempts: Int
    /// Attempts in all for idempotent requests without `Retry-After`.
    public var maxBackoffAttempts: Int
    /// First backoff delay, seconds.
    public var baseDelay: Double
    /// Longest backoff delay, seconds; also caps a server's `Retry-After`.
    public var maxDelay: Double

    public init(maxRetryAfterAttempts: Int = 10, maxBackoffAttempts: Int = 5, baseDelay: Double = 0.2, maxDelay: Double = 10) {
        self.maxRetryAfterAttempts = maxRetryAfterAttempts
        self.maxBackoffAttempts = maxBackoffAttempts
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
    }

    /// No retries at all.
    public static let none = RetryPolicy(maxRetryAfterAttempts: 1, maxBackoffAttempts: 1)

    /// The delay before attempt `attempt + 1` (attempt counts from 1), with full jitter.
    func backoff(afterAttempt attempt: Int) -> Double {
        let ceiling = min(maxDelay, baseDelay * Double(1 << min(attempt - 1, 20)))
        return Double.random(in: ceiling / 2...ceiling)
    }
}

/// One kind's reconcile, run by a ``Controller``: what it watches, and what it does for one key.
///
/// A reconcile is level-triggered: it reads the newest state from the caches, acts, and says when
/// to look again. It remembers nothing about a key between calls that is not in the cluster, so a
/// controller restarted at any point continues correctly.
public protocol Reconciler: Sendable {
    associatedtype Key: Hashable & Sendable & CustomStringConvertible

    /// The caches this reconciler reads and the keys their changes wake. Read once, when the
    /// ``Controller`` is made.
    var triggers: [Trigger<Key>] { get }

    /// Brings the object under `key` towards what it should be. Returns when to look again (nil:
    /// at its next change). Throwing retries the key with a capped exponential backoff; throwing a
    /// ``TerminalError`` does not (the next change of the key wakes it again).
    ///
    /// Never called for one key by two workers at once. Not cancelled by a shutdown: the
    /// controller waits for it.
    func reconcile(_ key: Key) async throws -> Duration?

    /// Work that runs beside the reconciles from the start of ``Controller/run()`` (background
    /// runners whose results wake keys through a ``Trigger/keys(_:)`` stream). Cancelled once the
    /// reconciles in flight have finished at shutdown; return when cancelled.
    func runBackground() async
}

extension Reconciler {
    /// Nothing runs in the background.
    public func runBackground() async {}
}

/// A reconcile failure that retrying cannot fix (an object the API refuses as it is): the key is
/// not retried until its next change.
public struct TerminalError: Error, CustomStringConvertible {
    /// What went wrong.
    public var underlying: any Error

    public init(_ underlying: any Error) { self.underlying = underlying }

    public var description: String { "\(underlying)" }
}

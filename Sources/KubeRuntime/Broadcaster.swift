import Synchronization

/// Fans values out to any number of `AsyncStream` subscribers; each stream buffers without bound,
/// so a slow subscriber never blocks the producer.
final class Broadcaster<Element: Sendable>: Sendable {
    private struct Subscribers {
        var continuations: [Int: AsyncStream<Element>.Continuation] = [:]
        var next = 0
        var finished = false
    }

    private let subscribers = Mutex(Subscribers())

    init() {}

    /// A new stream of every value yielded from now on; it ends at ``finish()``.
    func subscribe() -> AsyncStream<Element> {
        let (stream, continuation) = AsyncStream<Element>.makeStream(bufferingPolicy: .unbounded)
        let id: Int? = subscribers.withLock { state in
            guard !state.finished else { return nil }
            let id = state.next
            state.next += 1
            state.continuations[id] = continuation
            return id
        }
        guard let id else {
            continuation.finish()
            return stream
        }
        continuation.onTermination = { [weak self] _ in
            _ = self?.subscribers.withLock { $0.continuations.removeValue(forKey: id) }
        }
        return stream
    }

    func yield(_ values: some Sequence<Element>) {
        let continuations = subscribers.withLock { Array($0.continuations.values) }
        for continuation in continuations {
            for value in values { continuation.yield(value) }
        }
    }

    func yield(_ value: Element) { yield(CollectionOfOne(value)) }

    /// Ends every current stream; later subscribers get an empty stream until ``reopen()``.
    func finish() {
        let continuations = subscribers.withLock { state in
            state.finished = true
            let all = Array(state.continuations.values)
            state.continuations.removeAll()
            return all
        }
        for continuation in continuations { continuation.finish() }
    }

    /// Accepts subscribers again after ``finish()``.
    func reopen() { subscribers.withLock { $0.finished = false } }
}

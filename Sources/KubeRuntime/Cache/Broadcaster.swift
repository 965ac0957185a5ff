import Synchronization

/// Fans values out to any number of `AsyncStream` subscribers; each stream buffers without bound,
/// so a slow subscriber never blocks the producer. A subscriber may map each value when it is
/// yielded, so that its stream buffers only what it needs (keys rather than whole objects).
final class Broadcaster<Element: Sendable>: Sendable {
    /// One subscriber: takes a value (mapping and yielding it) and ends its stream.
    private struct Subscriber: Sendable {
        var yield: @Sendable (Element) -> Void
        var finish: @Sendable () -> Void
    }

    private struct Subscribers {
        var all: [Int: Subscriber] = [:]
        var next = 0
        var finished = false
    }

    private let subscribers = Mutex(Subscribers())

    init() {}

    /// A new stream of every value yielded from now on; it ends at ``finish()``.
    func subscribe() -> AsyncStream<Element> { subscribe { $0 } }

    /// A new stream of `map` of every value yielded from now on (nil results are skipped); `map`
    /// runs in ``yield(_:)``, on the producer's thread.
    func subscribe<Value: Sendable>(map: @escaping @Sendable (Element) -> Value?) -> AsyncStream<Value> {
        let (stream, continuation) = AsyncStream<Value>.makeStream(bufferingPolicy: .unbounded)
        let subscriber = Subscriber(
            yield: { value in if let mapped = map(value) { continuation.yield(mapped) } }, finish: { continuation.finish() })
        let id: Int? = subscribers.withLock { state in
            guard !state.finished else { return nil }
            let id = state.next
            state.next += 1
            state.all[id] = subscriber
            return id
        }
        guard let id else {
            continuation.finish()
            return stream
        }
        continuation.onTermination = { [weak self] _ in
            _ = self?.subscribers.withLock { $0.all.removeValue(forKey: id) }
        }
        return stream
    }

    func yield(_ values: some Sequence<Element>) {
        let all = subscribers.withLock { Array($0.all.values) }
        for subscriber in all {
            for value in values { subscriber.yield(value) }
        }
    }

    func yield(_ value: Element) { yield(CollectionOfOne(value)) }

    /// Ends every current stream; later subscribers get an empty stream until ``reopen()``.
    func finish() {
        let all = subscribers.withLock { state in
            state.finished = true
            let all = Array(state.all.values)
            state.all.removeAll()
            return all
        }
        for subscriber in all { subscriber.finish() }
    }

    /// Accepts subscribers again after ``finish()``.
    func reopen() { subscribers.withLock { $0.finished = false } }
}

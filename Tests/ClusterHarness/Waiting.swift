import Foundation
import Synchronization

/// A value shared between test tasks behind a lock.
package final class LockedValue<Value: Sendable>: Sendable {
    private let value: Mutex<Value>
    package init(_ value: Value) { self.value = Mutex(value) }
    package var get: Value { value.withLock { $0 } }
    package func set(_ newValue: Value) { value.withLock { $0 = newValue } }
    @discardableResult
    package func update<R: Sendable>(_ body: (inout Value) -> R) -> R { value.withLock { body(&$0) } }
}

/// Carries a value the compiler cannot prove Sendable across one hand-off the caller serialises.
struct UncheckedSendable<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}

/// A wait that did not end in time; names what was awaited and the last thing seen.
package struct WaitTimedOut: Error, CustomStringConvertible {
    package var description: String
    package init(description: String) { self.description = description }
}

/// Polls `condition` every `interval` until it returns a value or `timeout` passes. Deadlines are
/// generous for a loaded 2-core machine; an idle one passes in a fraction of them.
package func eventually<T>(
    _ what: String, timeout: Duration = .seconds(60), interval: Duration = .milliseconds(50),
    _ condition: () async throws -> (T?, String)
) async throws -> T {
    let deadline = ContinuousClock.now + timeout
    var last = ""
    while true {
        let (value, seen) = try await condition()
        if let value { return value }
        last = seen
        guard ContinuousClock.now < deadline else { break }
        try await Task.sleep(for: interval)
    }
    throw WaitTimedOut(description: "\(what) did not happen within \(timeout); last seen: \(last)")
}

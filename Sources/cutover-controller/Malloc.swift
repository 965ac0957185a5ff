import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Keeps glibc's allocator from holding memory the controller no longer uses. Measured with
/// hack/benchmarks bench-controller at 10,000 Rollouts (see the README's benchmark table).
enum Malloc {
    /// glibc gives threads that contend for `malloc` arenas of their own, up to eight per core, and
    /// an arena keeps the memory it once held. The controller's threads (Swift's cooperative pool,
    /// NIO event loops, Dispatch) mostly wait, so more arenas buy no speed, only resident memory.
    /// `MALLOC_ARENA_MAX` in the environment still decides when it is set.
    static func limitArenas(to count: Int32 = 2) {
        #if canImport(Glibc)
        guard ProcessInfo.processInfo.environment["MALLOC_ARENA_MAX"] == nil else { return }
        // <malloc.h> is not part of Swift's Glibc module: look the functions up as the C they are.
        typealias Mallopt = @convention(c) (Int32, Int32) -> Int32
        let arenaMax: Int32 = -8  // M_ARENA_MAX
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "mallopt") else { return }
        _ = unsafeBitCast(symbol, to: Mallopt.self)(arenaMax, count)
        #endif
    }

    /// glibc returns only the free memory at the top of an arena to the system; free pages in the
    /// middle of it stay resident. A burst (10,000 releases at once decoding 20,000 watch events)
    /// leaves many such pages behind. `malloc_trim(0)` gives them back; it walks the free lists,
    /// a few milliseconds at this size, so every few seconds costs nothing noticeable.
    static func trimPeriodically(every interval: Duration = .seconds(5)) -> Task<Void, Never> {
        Task.detached(priority: .background) {
            #if canImport(Glibc)
            typealias MallocTrim = @convention(c) (Int) -> Int32
            guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "malloc_trim") else { return }
            let trim = unsafeBitCast(symbol, to: MallocTrim.self)
            while !Task.isCancelled {
                try? await Task.sleep(for: interval)
                _ = trim(0)
            }
            #endif
        }
    }
}

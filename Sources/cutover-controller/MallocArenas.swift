import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// glibc gives threads that contend for `malloc` arenas of their own, up to eight per core, and an
/// arena keeps the memory it once held. The controller's threads (Swift's cooperative pool, NIO
/// event loops, Dispatch) mostly wait, so more arenas buy no speed, only resident memory: at
/// 10,000 Rollouts two arenas kept the peak RSS tens of MiB lower (hack/benchmarks bench-controller).
/// `MALLOC_ARENA_MAX` in the environment still decides when it is set.
enum MallocArenas {
    static func limit(to count: Int32 = 2) {
        #if canImport(Glibc)
        guard ProcessInfo.processInfo.environment["MALLOC_ARENA_MAX"] == nil else { return }
        // <malloc.h> is not part of Swift's Glibc module: look `mallopt` up as the C function it is.
        typealias Mallopt = @convention(c) (Int32, Int32) -> Int32
        let arenaMax: Int32 = -8  // M_ARENA_MAX
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "mallopt") else { return }
        _ = unsafeBitCast(symbol, to: Mallopt.self)(arenaMax, count)
        #endif
    }
}

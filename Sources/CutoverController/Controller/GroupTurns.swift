import KubeRuntime

/// Keeps a ReleaseGroup's decisions and its members' reconciles from interleaving in one
/// controller: a group reconcile (plan, status write) takes its group's turn alone; members of the
/// group take it together (plan, actions, status write), so they never wait for one another.
///
/// A decision lives in one object and its effect may be planned from another: a member restoring
/// its active Service onto green reads its group's status from the cache, while the group's
/// revert may be on its way to the API server. Within a turn each side plans from what the other
/// had written when it began: a member either plans after the group's write is in the cache, or
/// its patch reaches the server before the group decides. Across controllers the lease's write
/// fence does the same (a new leader lists after the old one stopped writing).
///
/// Turns are granted in the order they are asked for, so a group's turn is not starved by a
/// stream of member reconciles.
actor GroupTurns {
    private struct Waiter {
        let exclusive: Bool
        let resume: CheckedContinuation<Void, Never>
    }

    private struct Turn {
        var members = 0
        var group = false
        var waiting: [Waiter] = []
        var isIdle: Bool { members == 0 && !group && waiting.isEmpty }
    }

    private var turns: [ObjectKey: Turn] = [:]

    /// Runs `body` in the turn of group `key`: alone when `exclusive` (the group), else beside the
    /// group's other members.
    nonisolated func run<T>(_ key: ObjectKey, exclusive: Bool, _ body: () async throws -> T) async rethrows -> T {
        await acquire(key, exclusive: exclusive)
        do {
            let result = try await body()
            await release(key, exclusive: exclusive)
            return result
        } catch {
            await release(key, exclusive: exclusive)
            throw error
        }
    }

    private func acquire(_ key: ObjectKey, exclusive: Bool) async {
        var turn = turns[key] ?? Turn()
        let free = turn.waiting.isEmpty && !turn.group && (!exclusive || turn.members == 0)
        if free {
            if exclusive { turn.group = true } else { turn.members += 1 }
            turns[key] = turn
            return
        }
        await withCheckedContinuation { continuation in
            turn.waiting.append(Waiter(exclusive: exclusive, resume: continuation))
            turns[key] = turn
        }
    }

    private func release(_ key: ObjectKey, exclusive: Bool) {
        guard var turn = turns[key] else { return }
        if exclusive { turn.group = false } else { turn.members -= 1 }
        // Wake from the front: a group alone once no member is in, or every member up to the next group.
        while let next = turn.waiting.first, !turn.group {
            if next.exclusive {
                guard turn.members == 0 else { break }
                turn.group = true
            } else {
                turn.members += 1
            }
            turn.waiting.removeFirst()
            next.resume.resume()
        }
        turns[key] = turn.isIdle ? nil : turn
    }

    /// How many reconciles wait for group `key`'s turn.
    func waiting(_ key: ObjectKey) -> Int { turns[key]?.waiting.count ?? 0 }
}

extension WorkQueue {
    /// Adds every key of `keys` until the stream ends; pair it with ``Reflector/changes(_:)``
    /// mapping each change to the keys it should wake.
    public nonisolated func enqueue(keys: AsyncStream<[Key]>) async {
        for await batch in keys {
            for key in batch { await add(key) }
        }
    }
}

import Glibc

/// A growable FIFO of bytes on malloc'd storage: append at the back, consume from the front,
/// compacted in place so storage is reused rather than reallocated. Owned by one connection.
struct ByteQueue: ~Copyable {
    private var storage: UnsafeMutableRawPointer?
    private var capacity = 0
    private var start = 0
    private var end = 0

    init() {}

    // Skips the call for the empty queues `Connection` swaps in while it changes one.
    deinit { if let storage { free(storage) } }

    var count: Int { end - start }
    var isEmpty: Bool { start == end }

    /// The unconsumed bytes; valid until the next mutation.
    var readable: UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(start: storage.map { $0 + start }, count: end - start)
    }

    mutating func append(_ bytes: UnsafeRawBufferPointer) {
        guard let source = bytes.baseAddress, !bytes.isEmpty else { return }
        if end + bytes.count > capacity { makeRoom(for: bytes.count) }
        (storage! + end).copyMemory(from: source, byteCount: bytes.count)
        end += bytes.count
    }

    mutating func consume(_ byteCount: Int) {
        start += byteCount
        if start == end {
            start = 0
            end = 0
        }
    }

    /// Frees the storage when empty and larger than `keep` bytes, so idle connections stay small.
    mutating func shrinkIfEmpty(keeping keep: Int) {
        guard isEmpty, capacity > keep else { return }
        free(storage)
        storage = nil
        capacity = 0
    }

    private mutating func makeRoom(for extra: Int) {
        let live = end - start
        if start > 0, let storage {
            // Slide unconsumed bytes to the front before deciding to grow.
            storage.copyMemory(from: storage + start, byteCount: live)
            start = 0
            end = live
            if live + extra <= capacity { return }
        }
        var newCapacity = max(capacity, 512)
        while newCapacity < live + extra { newCapacity *= 2 }
        guard let grown = realloc(storage, newCapacity) else { fatalError("out of memory") }
        storage = grown
        capacity = newCapacity
    }
}

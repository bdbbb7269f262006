/// Pending timers as a binary min-heap of (deadline, arming order) over pooled slots.
///
/// Chosen over a hashed wheel: arm and cancel are O(log n) (14 sift steps at 10 000 timers), the
/// next deadline is exact (so `epoll_wait` sleeps exactly until it, no idle 10 ms ticks), timers
/// fire in deadline order, and cancelling removes the entry at once, so re-armed keep-alive
/// deadlines do not pile up as lazily-cancelled garbage. Slots are reused, so steady arm/cancel
/// traffic allocates nothing. Loop thread only.
struct TimerHeap {
    private struct Entry {
        var deadline: UInt64 = 0
        var sequence: UInt64 = 0
        var generation: UInt32 = 0
        var heapIndex: Int32 = -1
        var callback: (() -> Void)?
    }

    private var entries: [Entry] = []
    private var freeSlots: [Int32] = []
    private var heap: [Int32] = []
    private(set) var nextSequence: UInt64 = 0

    /// Timers armed and not yet fired or cancelled.
    var count: Int { heap.count }

    mutating func insert(deadline: UInt64, _ callback: @escaping () -> Void) -> TimerHandle {
        let slot: Int32
        if let reused = freeSlots.popLast() {
            slot = reused
        } else {
            slot = Int32(entries.count)
            entries.append(Entry())
        }
        entries[Int(slot)].deadline = deadline
        entries[Int(slot)].sequence = nextSequence
        entries[Int(slot)].callback = callback
        nextSequence += 1
        heap.append(slot)
        entries[Int(slot)].heapIndex = Int32(heap.count - 1)
        siftUp(heap.count - 1)
        return TimerHandle(slot: slot, generation: entries[Int(slot)].generation)
    }

    /// Removes the timer; returns its callback, so that the caller decides when it is released.
    @discardableResult
    mutating func cancel(_ handle: TimerHandle) -> (() -> Void)? {
        let slot = Int(handle.slot)
        guard slot < entries.count, entries[slot].generation == handle.generation,
            entries[slot].heapIndex >= 0
        else { return nil }
        let callback = entries[slot].callback
        removeHeapEntry(at: Int(entries[slot].heapIndex))
        return callback
    }

    /// Milliseconds `epoll_wait` may sleep: until the earliest deadline, or -1 with no timers.
    func pollTimeout(now: UInt64) -> Int32 {
        guard let first = heap.first else { return -1 }
        let deadline = entries[Int(first)].deadline
        return deadline <= now ? 0 : Int32(clamping: deadline - now)
    }

    /// Removes and returns the earliest timer due at `now` that was armed before `sequenceLimit`
    /// (timers armed by a firing callback wait for the next cycle, so a 0 ms re-arm cannot loop).
    mutating func popDue(now: UInt64, sequenceLimit: UInt64) -> (() -> Void)? {
        guard let first = heap.first else { return nil }
        let entry = entries[Int(first)]
        guard entry.deadline <= now, entry.sequence < sequenceLimit else { return nil }
        removeHeapEntry(at: 0)
        return entry.callback
    }

    private mutating func removeHeapEntry(at index: Int) {
        let slot = Int(heap[index])
        let last = heap.removeLast()
        if index < heap.count {
            heap[index] = last
            entries[Int(last)].heapIndex = Int32(index)
            siftDown(index)
            siftUp(index)
        }
        entries[slot].heapIndex = -1
        entries[slot].callback = nil
        entries[slot].generation &+= 1
        freeSlots.append(Int32(slot))
    }

    private func precedes(_ a: Int32, _ b: Int32) -> Bool {
        let left = entries[Int(a)]
        let right = entries[Int(b)]
        return (left.deadline, left.sequence) < (right.deadline, right.sequence)
    }

    private mutating func siftUp(_ start: Int) {
        var child = start
        while child > 0 {
            let parent = (child - 1) / 2
            guard precedes(heap[child], heap[parent]) else { return }
            swapAt(child, parent)
            child = parent
        }
    }

    private mutating func siftDown(_ start: Int) {
        var parent = start
        while true {
            let left = 2 * parent + 1
            guard left < heap.count else { return }
            var smallest = left
            if left + 1 < heap.count, precedes(heap[left + 1], heap[left]) { smallest = left + 1 }
            guard precedes(heap[smallest], heap[parent]) else { return }
            swapAt(parent, smallest)
            parent = smallest
        }
    }

    private mutating func swapAt(_ i: Int, _ j: Int) {
        heap.swapAt(i, j)
        entries[Int(heap[i])].heapIndex = Int32(i)
        entries[Int(heap[j])].heapIndex = Int32(j)
    }
}

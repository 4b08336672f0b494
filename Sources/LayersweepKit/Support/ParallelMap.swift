import Foundation

/// Maps items on several threads, for work that is mostly waiting on system calls, such as
/// reading thousands of small files.
enum ParallelMap {
  /// Returns `transform` applied to each item, in the items' order.
  static func map<Item: Sendable, Result: Sendable>(
    _ items: [Item], threads: Int = ProcessInfo.processInfo.activeProcessorCount,
    _ transform: @escaping @Sendable (Item) -> Result
  ) -> [Result] {
    let slots = ParallelMapSlots<Result>(count: items.count)
    let counter = WorkItemCounter()
    let workerCount = max(1, min(threads, items.count))
    DispatchQueue.concurrentPerform(iterations: workerCount) { _ in
      while let index = counter.claim(below: items.count) {
        slots.store(transform(items[index]), at: index)
      }
    }
    return slots.values
  }
}

/// One result slot per item, filled by whichever worker claimed the item.
private final class ParallelMapSlots<Result: Sendable>: @unchecked Sendable {
  private let lock = NSLock()
  private var slots: [Result?]

  init(count: Int) {
    slots = Array(repeating: nil, count: count)
  }

  func store(_ value: Result, at index: Int) {
    lock.withLock { slots[index] = value }
  }

  var values: [Result] { lock.withLock { slots.compactMap { $0 } } }
}

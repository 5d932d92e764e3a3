import Dispatch
import Foundation

/// A value set once by one thread and waited for by another.
final class OneShot<Value: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private let ready = DispatchSemaphore(value: 0)
    private var value: Value?

    /// Sets the value unless it is already set; later calls are ignored. Returns whether this
    /// call set it.
    @discardableResult
    func set(_ newValue: Value) -> Bool {
        lock.lock()
        let first = value == nil
        if first { value = newValue }
        lock.unlock()
        if first { ready.signal() }
        return first
    }

    func wait() -> Value {
        ready.wait()
        lock.lock()
        defer { lock.unlock() }
        return value!
    }
}

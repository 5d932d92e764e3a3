import Dispatch
import Synchronization

/// A value set once by one thread and waited for by another.
final class OneShot<Value: Sendable>: Sendable {
    private let value = Mutex<Value?>(nil)
    private let ready = DispatchSemaphore(value: 0)

    /// Sets the value unless it is already set; later calls are ignored. Returns whether this
    /// call set it.
    @discardableResult
    func set(_ newValue: Value) -> Bool {
        let first = value.withLock { value in
            guard value == nil else { return false }
            value = newValue
            return true
        }
        if first { ready.signal() }
        return first
    }

    func wait() -> Value {
        ready.wait()
        return value.withLock { $0! }
    }
}

import Foundation

/// A value behind an `NSLock`, for state shared between the pipeline thread and the HTTP
/// server's event loops. (`Synchronization.Mutex` would need macOS 15.)
final class LockedValue<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Value

    init(_ value: Value) { self.value = value }

    func withLock<T>(_ body: (inout Value) throws -> T) rethrows -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body(&value)
    }
}

import Dispatch
import Foundation
#if canImport(Glibc)
import Glibc
#endif
#if canImport(CDispatch)
// With NIO in the build, the compiler attributes `stat` and `timespec` members to libdispatch's
// C module; MemberImportVisibility then wants that module imported by name.
import CDispatch
#endif

/// SIGTERM and SIGINT stop the pipeline cleanly (flush, checkpoint, exit 0); SIGHUP calls
/// `reload`, when given. Handled on a dispatch queue, never inside a signal handler.
public final class SignalHandlers {
    private var sources: [any DispatchSourceSignal] = []
    private let queue = DispatchQueue(label: "logwatch.signals")

    public init(_ pipeline: Pipeline, reload: (() -> Void)? = nil) {
        for number in [SIGTERM, SIGINT] {
            install(number) { pipeline.stop() }
        }
        if let reload { install(SIGHUP, reload) }
    }

    private func install(_ number: Int32, _ action: @escaping () -> Void) {
        signal(number, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: number, queue: queue)
        source.setEventHandler(handler: action)
        source.resume()
        sources.append(source)
    }

    public func cancel() {
        for source in sources { source.cancel() }
        sources.removeAll()
    }
}

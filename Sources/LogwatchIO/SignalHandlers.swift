import Dispatch
import Foundation

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

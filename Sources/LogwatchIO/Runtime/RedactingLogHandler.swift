import Logging
import LogwatchCore

/// Masks keys, tokens and hashes in every log message and metadata value before the wrapped
/// handler writes them: logs leave the process too (the journal, a log shipper).
public struct RedactingLogHandler: LogHandler {
    private var inner: any LogHandler
    private let redactor = Redactor()

    public init(_ inner: any LogHandler) {
        self.inner = inner
    }

    public var logLevel: Logger.Level {
        get { inner.logLevel }
        set { inner.logLevel = newValue }
    }

    public var metadata: Logger.Metadata {
        get { inner.metadata }
        set { inner.metadata = newValue }
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { inner[metadataKey: key] }
        set { inner[metadataKey: key] = newValue }
    }

    public func log(event: LogEvent) {
        var event = event
        event.message = "\(redactor.redact("\(event.message)"))"
        if let metadata = event.metadata {
            event.metadata = metadata.mapValues { .string(redactor.redact("\($0)")) }
        }
        inner.log(event: event)
    }
}

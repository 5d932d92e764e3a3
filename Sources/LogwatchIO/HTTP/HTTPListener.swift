import Dispatch
import Foundation
import Hummingbird
import Logging
import LogwatchCore
import NIOCore
import ServiceLifecycle
import Synchronization

/// The daemon's HTTP side: `/metrics` (Prometheus text format 0.0.4), `/healthz`, `/readyz`, the
/// troubleshooting entries under `/entries/` served from memory, and, once `console` is set,
/// the operator's console (`/incidents`, `/api/v1/…`; HTTPListener+Console.swift).
///
/// Built for a daemon loop that is not async: `start()` binds, runs the server on its own task
/// and NIO's event loops, and returns the bound port; `stop()` shuts it down gracefully and
/// returns when it has. Entries and readiness can be changed at any time from any thread.
///
/// ```
/// let listener = HTTPListener(configuration: .init(host: "127.0.0.1", port: 9466),
///                             metrics: metrics, entries: EntryPages(rules: ruleSet.rules), logger: logger)
/// let port = try listener.start()
/// listener.readiness = .ready        // once sources are attached and rules are loaded
/// listener.entries = EntryPages(rules: reloaded.rules)   // after a SIGHUP reload
/// listener.stop()
/// ```
public final class HTTPListener: Sendable {
    /// Where to listen. Loopback by default: metrics and entries are for this host's
    /// Prometheus and the operator's browser, not the network.
    public struct Configuration: Sendable, Equatable, CustomStringConvertible {
        public var host: String
        /// 0 picks a free port; `start()` returns the one bound.
        public var port: Int

        public static let defaultHost = "127.0.0.1"
        public static let defaultPort = 9466

        public init(host: String = defaultHost, port: Int = defaultPort) {
            self.host = host
            self.port = port
        }

        /// `host:port`, with an IPv6 host in brackets.
        public var description: String { Self.format(host: host, port: port) }

        static func format(host: String, port: Int) -> String {
            host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
        }
    }

    /// Errors from `start()`.
    public enum StartError: Error, CustomStringConvertible {
        case alreadyStarted
        case failed(address: String, reason: String)

        public var description: String {
            switch self {
            case .alreadyStarted: "the HTTP listener is already running"
            case .failed(let address, let reason): "could not listen on \(address): \(reason)"
            }
        }
    }

    /// What `/readyz` answers: 200 when `.ready`, 503 with the reason otherwise.
    public enum Readiness: Sendable, Equatable {
        case ready
        case notReady(String)
    }

    /// The content type Prometheus expects for the text exposition format.
    public static let metricsContentType = "text/plain; version=0.0.4; charset=utf-8"

    public let configuration: Configuration
    let metrics: LogwatchMetrics
    private let logger: Logger
    let state: State
    private let running = Mutex<Running?>(nil)

    public init(configuration: Configuration = Configuration(), metrics: LogwatchMetrics,
                entries: EntryPages = EntryPages(rules: []), logger: Logger) {
        self.configuration = configuration
        self.metrics = metrics
        self.logger = logger
        self.state = State(entries: entries)
    }

    /// The pages under `/entries/`. Setting it swaps the whole set at once (a reload).
    public var entries: EntryPages {
        get { state.entries.withLock { $0 } }
        set { state.entries.withLock { $0 = newValue } }
    }

    /// The console endpoints' provider; nil (the default) answers them with 404.
    public var console: Console? {
        get { state.console.withLock { $0 } }
        set { state.console.withLock { $0 = newValue } }
    }

    /// What `/readyz` reports; `.notReady("starting")` until the daemon says otherwise. A reason
    /// is redacted when set, since it may quote a path or URL from the config.
    public var readiness: Readiness {
        get { state.readiness.withLock { $0 } }
        set {
            let value = switch newValue {
            case .ready: newValue
            case .notReady(let reason): Readiness.notReady(state.redactor.redact(reason))
            }
            state.readiness.withLock { $0 = value }
        }
    }

    /// The bound port while serving, else nil.
    public var port: Int? { running.withLock { $0?.port } }

    /// Binds and starts serving; returns the bound port (useful with port 0). Blocks the calling
    /// thread until the socket is bound or binding failed, so call it from the daemon's thread,
    /// not from inside Swift concurrency's cooperative pool. Hummingbird's application runs in a
    /// `ServiceGroup` of its own here (the reason swift-service-lifecycle stays a dependency).
    @discardableResult
    public func start() throws -> Int {
        let address = configuration.description
        let bound = OneShot<Result<Int, any Error>>()
        let finished = DispatchSemaphore(value: 0)
        let app = makeApplication { port in bound.set(.success(port)) }
        let group = ServiceGroup(configuration: ServiceGroupConfiguration(services: [app], logger: logger))
        try reserve(Running(group: group, finished: finished))
        let logger = self.logger
        let task = Task.detached {
            do {
                try await group.run()
                bound.set(.failure(StartError.failed(address: address, reason: "the server stopped before it was listening")))
            } catch {
                // Before binding, start() throws this error; after, nobody is waiting, so log it.
                if !bound.set(.failure(error)) {
                    logger.error("The HTTP listener stopped with an error.",
                                 metadata: ["http.address": "\(address)", "error": "\(error)"])
                }
            }
            finished.signal()
        }
        running.withLock { $0?.task = task }
        switch bound.wait() {
        case .success(let port):
            return port
        case .failure(let error):
            finished.wait()
            running.withLock { $0 = nil }
            throw StartError.failed(address: address, reason: "\(error)")
        }
    }

    /// Stops accepting connections, lets requests in flight finish, and returns once the server
    /// has stopped (or, past `timeout`, after cancelling it). Does nothing when not started with
    /// `start()`.
    public func stop(timeout: Duration = .seconds(10)) {
        guard let current = running.withLock({ $0 }), let group = current.group, let finished = current.finished else {
            return
        }
        Task.detached { await group.triggerGracefulShutdown() }
        let seconds = Double(timeout.components.seconds) + Double(timeout.components.attoseconds) * 1e-18
        if finished.wait(timeout: .now() + seconds) == .timedOut {
            logger.warning("The HTTP listener did not stop in time; cancelling it.")
            running.withLock { $0?.task?.cancel() }
            finished.wait()
        }
        running.withLock { $0 = nil }
    }

    private func reserve(_ run: Running) throws {
        try running.withLock { current in
            guard current == nil else { throw StartError.alreadyStarted }
            current = run
        }
    }

    private func makeApplication(onBound: @escaping @Sendable (Int) -> Void) -> Application<RouterResponder<ListenerContext>> {
        let logger = self.logger, host = configuration.host
        return Application(
            router: makeRouter(),
            configuration: ApplicationConfiguration(
                address: .hostname(configuration.host, port: configuration.port), serverName: nil),
            onServerRunning: { channel in
                let port = channel.localAddress?.port ?? 0
                // `self`, not a copy: a Mutex is not copyable. The session ends (and `running`
                // with it) when the application stops, so the capture does not outlive it.
                self.running.withLock { $0?.port = port }
                logger.info("Serving metrics, health and entries.",
                            metadata: ["http.address": "\(Configuration.format(host: host, port: port))"])
                onBound(port)
            },
            logger: logger)
    }

    // MARK: Routes

    private func makeRouter() -> Router<ListenerContext> {
        // HEAD answers like GET without the body: uptime checkers and `curl -I` use it.
        let router = Router(context: ListenerContext.self, options: .autoGenerateHeadEndpoints)
        let metrics = self.metrics, state = self.state
        router.get("metrics") { _, _ -> Response in
            var headers = HTTPFields()
            headers[.contentType] = Self.metricsContentType
            return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: metrics.exposition())))
        }
        router.get("healthz") { _, _ in Self.text(.ok, "ok\n") }
        router.get("readyz") { _, _ in
            switch state.readiness.withLock({ $0 }) {
            case .ready: Self.text(.ok, "ready\n")
            case .notReady(let reason): Self.text(.serviceUnavailable, "not ready: \(reason)\n")
            }
        }
        // Whether the router hands `/entries/` to the first or second route, the handler looks
        // at the path itself.
        let serveEntries: @Sendable (Request, ListenerContext) async throws -> Response = { request, _ in
            let path = request.uri.path
            // Relative links in the index need the trailing slash. The Location is relative too,
            // so it stays right behind a reverse proxy that mounts us under a prefix.
            if path == "/entries" {
                var headers = HTTPFields()
                headers[.location] = "entries/"
                return Response(status: .movedPermanently, headers: headers)
            }
            guard path.hasPrefix("/entries/"),
                  let page = state.entries.withLock({ $0 }).page(at: path.dropFirst("/entries/".count)) else {
                return Self.text(.notFound, "not found\n")
            }
            var headers = HTTPFields()
            headers[.contentType] = page.contentType
            headers[.xContentTypeOptions] = "nosniff"
            // The pages are self-contained: inline style, no scripts, no images.
            headers[.contentSecurityPolicy] = "default-src 'none'; style-src 'unsafe-inline'"
            return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: page.body)))
        }
        router.get("entries", use: serveEntries)
        router.get("entries/**", use: serveEntries)
        addConsoleRoutes(router)
        return router
    }

    static func text(_ status: HTTPResponse.Status, _ body: String) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "text/plain; charset=utf-8"
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: body)))
    }

    // MARK: State

    final class State: Sendable {
        let entries: Mutex<EntryPages>
        let console = Mutex<Console?>(nil)
        let readiness = Mutex<Readiness>(.notReady("starting"))
        let redactor = Redactor()
        init(entries: EntryPages) { self.entries = Mutex(entries) }
    }

    /// One serving session: from `start()` (with the group, semaphore and task that `stop()`
    /// needs).
    private struct Running: Sendable {
        var group: ServiceGroup?
        var finished: DispatchSemaphore?
        var task: Task<Void, Never>?
        var port: Int?
    }
}

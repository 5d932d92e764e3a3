import Foundation
import Hummingbird
import LogwatchCore
import Synchronization
import NIOCore

/// Hummingbird's basic context plus the peer's address, which the console's write endpoints
/// check (loopback or a bearer token).
struct ListenerContext: RequestContext {
    var coreContext: CoreRequestContextStorage
    /// The client's IP address as NIO prints it, nil for a Unix socket.
    let peer: String?

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        peer = source.channel.remoteAddress?.ipAddress
    }
}

/// The operator's console: what is open now, silences, test sends.
///
/// ```
/// GET  /incidents                     the page (HTML, self-contained, refreshes itself)
/// GET  /api/v1/incidents              the snapshot as JSON
/// GET  /api/v1/silences               every silence (active and lately expired)
/// POST /api/v1/silences               {"matcher": "class=auth", "duration": "2h", "comment": "…"}   (write)
/// POST /api/v1/silences/ID/expire     ends a silence now                                          (write)
/// POST /api/v1/notify/test            {"sink": "NAME"}: a marked test notice through the real sink (write)
/// ```
/// Errors are JSON `{"error": "one line"}` with a 4xx status.
extension HTTPListener {
    /// Request bodies are a few hundred bytes; anything larger is refused before it is read.
    static let maxBody = 16 * 1024

    func addConsoleRoutes(_ router: Router<ListenerContext>) {
        let state = self.state, metrics = self.metrics
        let redactor = Redactor()
        @Sendable func currentConsole() -> Console? { state.console.withLock { $0 } }

        router.get("incidents") { _, _ -> Response in
            guard let console = currentConsole() else { return Self.json(.notFound, ["error": "the console is not enabled"]) }
            var headers = HTTPFields()
            headers[.contentType] = EntryPages.htmlType
            headers[.xContentTypeOptions] = "nosniff"
            // Self-contained: inline style, no script, no image, no request elsewhere.
            headers[.contentSecurityPolicy] = "default-src 'none'; style-src 'unsafe-inline'"
            headers[.cacheControl] = "no-store"
            return Response(status: .ok, headers: headers,
                            body: ResponseBody(byteBuffer: ByteBuffer(string: IncidentConsole.html(console.snapshot()))))
        }
        router.get("api/v1/incidents") { _, _ -> Response in
            guard let console = currentConsole() else { return Self.json(.notFound, ["error": "the console is not enabled"]) }
            return Self.json(.ok, console.snapshot())
        }
        router.get("api/v1/silences") { _, _ -> Response in
            guard let console = currentConsole() else { return Self.json(.notFound, ["error": "the console is not enabled"]) }
            return Self.json(.ok, console.silences.all)
        }

        /// Runs `body` for a write that passed the loopback-or-token check; refusals are counted.
        @Sendable func write(_ request: Request, _ context: ListenerContext,
                             _ body: @Sendable (Console, [UInt8]) async throws -> Response) async throws -> Response {
            guard let console = currentConsole() else { return Self.json(.notFound, ["error": "the console is not enabled"]) }
            if let refusal = console.refusal(loopback: Console.isLoopback(context.peer),
                                             authorization: request.headers[.authorization]) {
                metrics.writeRefused(refusal.rawValue)
                return Self.json(refusal == .missingToken ? .unauthorized : .forbidden, ["error": refusal.message])
            }
            var request = request
            let buffer: ByteBuffer
            do {
                buffer = try await request.collectBody(upTo: Self.maxBody)
            } catch {
                return Self.json(.contentTooLarge, ["error": "the request body is larger than \(Self.maxBody) bytes"])
            }
            return try await body(console, Array(buffer.readableBytesView))
        }

        router.post("api/v1/silences") { request, context in
            try await write(request, context) { console, body in
                guard let fields = try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any] else {
                    return Self.json(.badRequest, ["error": "the body must be a JSON object with matcher, duration and comment"])
                }
                guard let text = fields["matcher"] as? String else { return Self.json(.badRequest, ["error": "matcher is missing"]) }
                let matcher: Silence.Matcher
                switch Silence.Matcher.parse(text) {
                case .success(let parsed): matcher = parsed
                case .failure(let problem): return Self.json(.badRequest, ["error": "matcher: \(problem)"])
                }
                guard let durationText = fields["duration"] as? String,
                      let duration = LogwatchConfig.Interval.parse(durationText), duration.milliseconds > 0 else {
                    return Self.json(.badRequest, ["error": "duration must be like 30m, 2h or 1d"])
                }
                // A comment is shown to everyone who can read: it passes the redactor like any log text.
                let comment = redactor.redact(String((fields["comment"] as? String ?? "").prefix(500)))
                let silence = try console.silences.add(matcher, duration: duration.seconds, comment: comment, now: console.now())
                return Self.json(.created, silence)
            }
        }
        router.post("api/v1/silences/:id/expire") { request, context in
            let id = context.parameters.get("id") ?? ""
            return try await write(request, context) { console, _ in
                guard let silence = try console.silences.expire(id, now: console.now()) else {
                    return Self.json(.notFound, ["error": "no silence with id \(redactor.redact(String(id.prefix(64))))"])
                }
                return Self.json(.ok, silence)
            }
        }
        router.post("api/v1/notify/test") { request, context in
            try await write(request, context) { console, body in
                guard let fields = try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any],
                      let sink = fields["sink"] as? String else {
                    return Self.json(.badRequest, ["error": "the body must be {\"sink\": \"NAME\"}"])
                }
                guard let results = await console.notifyTest(sink) else {
                    return Self.json(.notFound, ["error": "no sink named \(redactor.redact(String(sink.prefix(64)))) that posts to a URL"])
                }
                return Self.json(.ok, results)
            }
        }
    }

    static func json(_ status: HTTPResponse.Status, _ value: some Encodable) -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        let data = (try? encoder.encode(value)) ?? Data("{\"error\":\"could not encode the answer\"}".utf8)
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        headers[.cacheControl] = "no-store"
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: data + [0x0A])))
    }
}

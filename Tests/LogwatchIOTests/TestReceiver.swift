import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix

/// A real HTTP server on 127.0.0.1 for delivery tests: it records every request and answers
/// as the test's script says (status, headers, body, and an optional delay before answering).
final class TestReceiver: Sendable {
    struct Request: Sendable {
        var method: String
        var path: String
        var contentType: String?
        var body: [UInt8]
        var arrival: ContinuousClock.Instant
        var text: String { String(decoding: body, as: UTF8.self) }
    }

    struct Reply: Sendable {
        var status: Int = 200
        var headers: [String: String] = [:]
        var body: String = "ok"
        /// Seconds to wait before answering: a slow receiver.
        var delay: Double = 0
        /// Answer only when the test calls `release()`: a receiver that hangs.
        var hold = false
    }

    /// Given the request's index (0 for the first) and the request, the reply.
    typealias Script = @Sendable (Int, Request) -> Reply

    let port: Int
    private let channel: any Channel
    private let log: NIOLockedValueBox<[Request]>
    private let held: NIOLockedValueBox<[@Sendable () -> Void]>

    var url: String { "http://127.0.0.1:\(port)" }
    var requests: [Request] { log.withLockedValue { $0 } }

    /// Starts listening; `port` 0 picks a free one.
    init(port: Int = 0, script: @escaping Script = { _, _ in Reply() }) throws {
        let log = NIOLockedValueBox<[Request]>([])
        let held = NIOLockedValueBox<[@Sendable () -> Void]>([])
        self.log = log
        self.held = held
        channel = try ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.backlog, value: 64)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.pipeline.configureHTTPServerPipeline().flatMap {
                    channel.pipeline.addHandler(Handler(log: log, held: held, script: script))
                }
            }
            .bind(host: "127.0.0.1", port: port).wait()
        self.port = channel.localAddress?.port ?? port
    }

    /// Answers every request held so far.
    func release() {
        let replies = held.withLockedValue { held in
            defer { held = [] }
            return held
        }
        for reply in replies { reply() }
    }

    func close() {
        try? channel.close().wait()
    }

    /// A port nothing listens on (bound once, then released), for "connection refused".
    static func freePort() throws -> Int {
        let probe = try TestReceiver()
        defer { probe.close() }
        return probe.port
    }

    /// Waits (polling) until at least `count` requests arrived; false if `limit` seconds pass.
    /// The limit is a generous safety net against hanging, not a performance assertion.
    func waitFor(_ count: Int, limit: Double = 60) async -> Bool {
        let end = ContinuousClock.now + .milliseconds(Int(limit * 1000))
        while ContinuousClock.now < end {
            if requests.count >= count { return true }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return requests.count >= count
    }

    private final class Handler: ChannelInboundHandler, @unchecked Sendable {
        typealias InboundIn = HTTPServerRequestPart
        typealias OutboundOut = HTTPServerResponsePart

        let log: NIOLockedValueBox<[Request]>
        let held: NIOLockedValueBox<[@Sendable () -> Void]>
        let script: Script
        var head: HTTPRequestHead?
        var body: [UInt8] = []

        init(log: NIOLockedValueBox<[Request]>, held: NIOLockedValueBox<[@Sendable () -> Void]>, script: @escaping Script) {
            self.log = log
            self.held = held
            self.script = script
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            switch unwrapInboundIn(data) {
            case .head(let head):
                self.head = head
                body = []
            case .body(var buffer):
                body += buffer.readBytes(length: buffer.readableBytes) ?? []
            case .end:
                guard let head else { return }
                let request = Request(method: head.method.rawValue, path: head.uri,
                                      contentType: head.headers.first(name: "Content-Type"),
                                      body: body, arrival: .now)
                let index = log.withLockedValue { log -> Int in
                    log.append(request)
                    return log.count - 1
                }
                let reply = script(index, request)
                let version = head.version
                let respond: () -> Void = { [self] in
                    var headers = HTTPHeaders()
                    for (name, value) in reply.headers { headers.add(name: name, value: value) }
                    headers.add(name: "Content-Length", value: "\(reply.body.utf8.count)")
                    headers.add(name: "Connection", value: "close")
                    let responseHead = HTTPResponseHead(version: version, status: HTTPResponseStatus(statusCode: reply.status),
                                                        headers: headers)
                    context.write(wrapOutboundOut(.head(responseHead)), promise: nil)
                    context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(string: reply.body)))), promise: nil)
                    context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in context.close(promise: nil) }
                }
                let eventLoop = context.eventLoop
                let bound = NIOLoopBound(respond, eventLoop: eventLoop)
                if reply.hold {
                    held.withLockedValue { $0.append { eventLoop.execute { bound.value() } } }
                } else if reply.delay > 0 {
                    eventLoop.scheduleTask(in: .milliseconds(Int64(reply.delay * 1000))) { bound.value() }
                } else {
                    respond()
                }
            }
        }
    }
}

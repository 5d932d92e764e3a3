// Delivery/: notices from the outbox to receivers (DeliveryWorker, WebhookSink, retries).
// The edge. May use: State/, Support/, AsyncHTTPClient, LogwatchCore.
// The map of all rooms: docs/architecture.md.

import AsyncHTTPClient
import Foundation
import LogwatchCore
import NIOCore
import NIOHTTP1

/// Posts already-rendered notice bodies to one webhook (Slack, Discord, Teams, a generic
/// receiver or Alertmanager) and says what the answer means for the outbox.
///
/// The sink never logs and never puts its URL into an outcome: webhook URLs are credentials
/// (Slack's and Discord's carry their token in the path). Anything meant for people uses
/// `configuration.maskedURL`, and every text taken from a response passes the `Redactor`.
public struct WebhookSink: Sendable {
    public struct Configuration: Sendable {
        /// The sink's name in logs, metrics and the outbox (`slack`, `am-eu`, ...).
        public var name: String
        /// The webhook URL. Secret: never print it; use `maskedURL`.
        public var url: String
        /// The payload format (`slack`, `discord`, `teams`, `generic`, `alertmanager`). The
        /// body is rendered elsewhere; here it names the sink in logs and, for Alertmanager,
        /// completes the endpoint path.
        public var format: String
        /// The whole request, connecting included, must finish within this many seconds.
        public var timeout: Double
        public var retry: Retry

        public init(name: String, url: String, format: String = "generic", timeout: Double = 10, retry: Retry = Retry()) {
            self.name = name
            self.url = url
            self.format = format
            self.timeout = max(0.001, timeout)
            self.retry = retry
        }

        /// Where the POST goes: the URL itself, or for Alertmanager its base plus
        /// `/api/v2/alerts` (operators configure Alertmanager by its base URL).
        public var endpoint: String {
            guard format == "alertmanager" else { return url }
            let trimmed = url.hasSuffix("/") ? String(url.dropLast()) : url
            return trimmed.hasSuffix("/api/v2/alerts") ? trimmed : trimmed + "/api/v2/alerts"
        }

        /// The URL with everything after the host hidden, e.g. `https://hooks.slack.com/…`.
        public var maskedURL: String { WebhookSink.mask(url) }

        /// Checks the URL before anything starts; the error names the sink, never the URL.
        public func validate() throws {
            guard URLParts(url) != nil else { throw ConfigurationError.invalidURL(sink: name) }
        }
    }

    public enum ConfigurationError: Error, Equatable, CustomStringConvertible {
        case invalidURL(sink: String)

        public var description: String {
            switch self {
            case .invalidURL(let sink):
                return "sink \(sink): the webhook URL is not an http:// or https:// URL with a host (the URL is not shown because it may hold a token)"
            }
        }
    }

    /// What one attempt means for the notice.
    public enum Outcome: Sendable, Equatable {
        /// 2xx: the receiver has it; it leaves the outbox.
        case delivered(status: Int)
        /// 5xx, 408, 429, connection errors and timeouts: try again. `after` is the receiver's
        /// own `Retry-After` in seconds when it sent one; nil means "use the backoff".
        case retryLater(after: Double?, reason: String)
        /// Any other answer (4xx, redirects): sending the same bytes again cannot succeed.
        /// `body` is the start of the response body, redacted, for the log.
        case permanent(status: Int, body: String)
    }

    /// Response bodies are kept only this far, for the log of a refusal.
    public static let bodyExcerptLimit = 500

    public let configuration: Configuration
    let client: HTTPClient
    let redactor = Redactor()

    /// `client` is shared by all sinks; make it with `makeClient()` and shut it down at exit.
    public init(configuration: Configuration, client: HTTPClient) {
        self.configuration = configuration
        self.client = client
    }

    public var name: String { configuration.name }

    /// A client suited to webhooks: redirects are not followed (a moved webhook must be
    /// reconfigured rather than have its body replayed to another host) and connecting
    /// gives up after 10 seconds. Call `shutdown()` on it when the process ends.
    public static func makeClient() -> HTTPClient {
        var configuration = HTTPClient.Configuration(
            redirectConfiguration: .disallow,
            timeout: .init(connect: .seconds(10), read: .seconds(30)))
        // The pool would otherwise keep reconnecting until the request's deadline, hiding a
        // refused connection as a timeout; the worker's own backoff (counted, logged) retries.
        configuration.connectionPool.retryConnectionEstablishment = false
        return HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
    }

    /// POSTs one body. Never throws: every failure is an outcome. Task cancellation (a stop
    /// deadline) ends the request and gives `.retryLater`.
    public func send(body: [UInt8], contentType: String, now: @Sendable () -> Date = { Date() }) async -> Outcome {
        var request = HTTPClientRequest(url: configuration.endpoint)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: contentType)
        request.headers.add(name: "User-Agent", value: "logwatch")
        request.body = .bytes(ByteBuffer(bytes: body))
        let deadline = NIODeadline.now() + .nanoseconds(Int64(configuration.timeout * 1e9))
        do {
            // No logger for the client: its debug lines would carry the URL.
            let response = try await client.execute(request, deadline: deadline)
            var excerpt: [UInt8] = []
            do {
                for try await chunk in response.body where excerpt.count < Self.bodyExcerptLimit * 4 {
                    excerpt += chunk.readableBytesView.prefix(Self.bodyExcerptLimit * 4 - excerpt.count)
                }
            } catch {
                // The status line has decided already: a 2xx whose body broke off was accepted.
            }
            return classify(status: Int(response.status.code),
                            retryAfter: response.headers.first(name: "Retry-After"),
                            body: excerpt, now: now())
        } catch {
            return .retryLater(after: nil, reason: describe(error))
        }
    }

    /// The outcome of an answer; pure, so every status is tested without a server.
    public func classify(status: Int, retryAfter: String?, body: [UInt8], now: Date) -> Outcome {
        switch status {
        case 200..<300:
            return .delivered(status: status)
        case 408, 429, 500..<600:
            return .retryLater(after: retryAfter.flatMap { Self.retryAfter($0, now: now) }, reason: "HTTP \(status)")
        default:
            return .permanent(status: status, body: excerpt(body))
        }
    }

    /// A response body fit for a log line: cut, one line, secrets masked, our URL hidden.
    func excerpt(_ body: [UInt8]) -> String {
        var text = String(decoding: body, as: UTF8.self)
        if text.count > Self.bodyExcerptLimit { text = String(text.prefix(Self.bodyExcerptLimit)) + "…" }
        text = text.replacingOccurrences(of: "\r", with: " ").replacingOccurrences(of: "\n", with: " ")
        return scrub(text)
    }

    /// An error as a short sentence without the URL's path or query (where tokens live).
    func describe(_ error: any Error) -> String {
        if error is CancellationError { return "cancelled" }
        if let error = error as? HTTPClientError {
            switch error {
            case .deadlineExceeded, .readTimeout, .connectTimeout, .writeTimeout: return "timed out after \(configuration.timeout) s"
            case .cancelled: return "cancelled"
            case .remoteConnectionClosed: return "the receiver closed the connection"
            default: break
            }
        }
        if let error = error as? NIOCore.IOError {
            // NIO's own description reads "connection reset (error set): ..." even for a refusal.
            return "connection failed: " + String(cString: strerror(error.errnoCode))
        }
        return scrub("\(error)")
    }

    /// Removes this sink's URL (whole, or its path and query) and any secret from `text`.
    func scrub(_ text: String) -> String {
        var result = text
        for secret in [configuration.endpoint, configuration.url] where !secret.isEmpty {
            result = result.replacingOccurrences(of: secret, with: configuration.maskedURL)
        }
        if let tail = URLParts(configuration.url)?.path, tail.count > 1 {
            result = result.replacingOccurrences(of: tail, with: "/…")
        }
        return redactor.redact(result)
    }

    /// `scheme://host[:port]/…`: enough to tell sinks apart, nothing that authenticates.
    public static func mask(_ url: String) -> String { URLParts.mask(url, .host) ?? "(invalid URL)" }
}

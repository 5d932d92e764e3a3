import AsyncHTTPClient
import Foundation
import LogwatchCore
import NIOCore
import NIOHTTP1

/// The command line's side of the console (`logwatch status`, `silence`, `notify test`): one
/// blocking request to a running daemon's listener, answered as status and JSON body.
public struct ConsoleClient: Sendable {
    public enum Failure: Error, CustomStringConvertible {
        case unreachable(url: String, reason: String)
        case refused(status: Int, message: String)
        case unreadable(String)

        public var description: String {
            switch self {
            case .unreachable(let url, let reason):
                "cannot reach the daemon at \(url) (\(reason)); is `logwatch run` serving there (http.listen)?"
            case .refused(let status, let message): "the daemon answered \(status): \(message)"
            case .unreadable(let reason): "the daemon's answer could not be read (\(reason))"
            }
        }
    }

    /// The default listener address (`http.listen`'s default).
    public static let defaultURL = "http://127.0.0.1:9466"

    public var base: String
    /// Sent as `Authorization: Bearer …` when set (writes from off loopback).
    public var token: String?
    public var timeout: Double

    public init(base: String = ConsoleClient.defaultURL, token: String? = nil, timeout: Double = 30) {
        var base = base
        while base.hasSuffix("/") { base.removeLast() }
        self.base = base
        self.token = token
        self.timeout = timeout
    }

    /// GET `path`, or POST `json` to it; a 4xx/5xx answer throws `refused` with the daemon's
    /// one-line error.
    public func request(_ path: String, json: [String: String]? = nil) throws -> Data {
        let method: HTTPMethod = json == nil ? .GET : .POST
        let client = HTTPClient(eventLoopGroupProvider: .singleton)
        defer { try? client.syncShutdown() }
        var headers = HTTPHeaders([("User-Agent", "logwatch")])
        if let token { headers.add(name: "Authorization", value: "Bearer \(token)") }
        var body: HTTPClient.Body?
        if let json {
            headers.add(name: "Content-Type", value: "application/json")
            body = .data((try? JSONSerialization.data(withJSONObject: json, options: [.sortedKeys])) ?? Data())
        }
        let url = base + path
        let response: HTTPClient.Response
        do {
            let request = try HTTPClient.Request(url: url, method: method, headers: headers, body: body)
            response = try client.execute(request: request, deadline: .now() + .milliseconds(Int64(timeout * 1000))).wait()
        } catch {
            throw Failure.unreachable(url: ConfigRenderer.maskURL(url), reason: "\(error)")
        }
        let data = response.body.map { Data($0.readableBytesView) } ?? Data()
        guard (200..<300).contains(response.status.code) else {
            let message = (try? JSONSerialization.jsonObject(with: data) as? [String: Any])?["error"] as? String
                ?? String(decoding: data.prefix(300), as: UTF8.self)
            throw Failure.refused(status: Int(response.status.code), message: message)
        }
        return data
    }

    public func decode<T: Decodable>(_ type: T.Type, from data: Data) throws -> T {
        do { return try JSONDecoder().decode(type, from: data) } catch { throw Failure.unreadable("\(error)") }
    }

    /// The snapshot's JSON as the daemon sent it (`status --json`).
    public func snapshotJSON() throws -> Data { try request("/api/v1/incidents") }

    public func snapshot() throws -> IncidentSnapshot { try decode(IncidentSnapshot.self, from: snapshotJSON()) }

    public func silences() throws -> [Silence] { try decode([Silence].self, from: request("/api/v1/silences")) }

    public func addSilence(matcher: String, duration: String, comment: String) throws -> Silence {
        try decode(Silence.self, from: request("/api/v1/silences",
                                               json: ["matcher": matcher, "duration": duration, "comment": comment]))
    }

    public func expireSilence(_ id: String) throws -> Silence {
        let escaped = id.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-_"))) ?? id
        return try decode(Silence.self, from: request("/api/v1/silences/\(escaped)/expire", json: [:]))
    }

    public func notifyTest(sink: String) throws -> [Console.TestResult] {
        try decode([Console.TestResult].self, from: request("/api/v1/notify/test", json: ["sink": sink]))
    }
}

import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A few lines of HTTP/1.1 over a plain socket. The listener is tested over the wire, and a raw
/// client sends paths exactly as written: URLSession would normalise `..` away before sending.
enum RawHTTPClient {
    struct Response {
        let status: Int
        let headers: [String: String]   // lower-cased names
        let body: String
    }

    enum Failure: Error, CustomStringConvertible {
        case connect(Int32)
        case malformed(String)
        var description: String {
            switch self {
            case .connect(let code): "connect failed: \(String(cString: strerror(code)))"
            case .malformed(let text): "malformed response: \(text.prefix(200))"
            }
        }
    }

    static func get(port: Int, _ path: String, method: String = "GET") throws -> Response {
        let fd = try connect(port: port)
        defer { close(fd) }
        send(fd, "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nConnection: close\r\n\r\n")
        return try parse(readToEnd(fd))
    }

    /// A connected socket to 127.0.0.1:`port`; the caller closes it.
    static func connect(port: Int) throws -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw Failure.connect(errno) }
        // A safety net so a broken server fails the test instead of hanging it; not a timing assertion.
        var timeout = timeval(tv_sec: 60, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else {
            let code = errno
            close(fd)
            throw Failure.connect(code)
        }
        return fd
    }

    static func send(_ fd: Int32, _ text: String) {
        _ = text.utf8CString.withUnsafeBufferPointer { Glibc.send(fd, $0.baseAddress, $0.count - 1, 0) }
    }

    /// Reads once: what the peer has sent so far (0 bytes once it has closed).
    static func readSome(_ fd: Int32) -> [UInt8] {
        var buffer = [UInt8](repeating: 0, count: 65536)
        let n = recv(fd, &buffer, buffer.count, 0)
        return n > 0 ? Array(buffer[0..<n]) : []
    }

    static func readToEnd(_ fd: Int32) -> [UInt8] {
        var data = [UInt8]()
        while true {
            let chunk = readSome(fd)
            if chunk.isEmpty { return data }
            data += chunk
        }
    }

    static func parse(_ data: [UInt8]) throws -> Response {
        let text = String(decoding: data, as: UTF8.self)
        guard let split = text.range(of: "\r\n\r\n") else { throw Failure.malformed(text) }
        let head = text[..<split.lowerBound].components(separatedBy: "\r\n")
        let statusParts = head[0].split(separator: " ")
        guard statusParts.count >= 2, let status = Int(statusParts[1]) else { throw Failure.malformed(text) }
        var headers: [String: String] = [:]
        for line in head.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        var body = String(text[split.upperBound...])
        if headers["transfer-encoding"] == "chunked" { body = try dechunk(body) }
        return Response(status: status, headers: headers, body: body)
    }

    static func dechunk(_ text: String) throws -> String {
        var rest = Substring(text), out = ""
        while let lineEnd = rest.range(of: "\r\n") {
            guard let size = Int(rest[..<lineEnd.lowerBound], radix: 16) else { throw Failure.malformed(text) }
            if size == 0 { break }
            let start = rest.utf8.index(lineEnd.upperBound, offsetBy: 0)
            let end = rest.utf8.index(start, offsetBy: size)
            out += rest[start..<end]
            rest = rest[end...].dropFirst(2)
        }
        return out
    }
}

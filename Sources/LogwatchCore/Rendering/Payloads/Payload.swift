// Rendering/Payloads/: one type per webhook format, each a `JSONWriter.Value` tree within the
// receiver's limits. Pure core. May use: Rendering/, Incidents/, Support/.
// The map of all rooms: docs/architecture.md.

/// The exact bytes a sink sends, with their content type.
public struct Payload: Sendable, Equatable {
    public var contentType: String
    public var body: [UInt8]

    public init(contentType: String, body: [UInt8]) {
        self.contentType = contentType
        self.body = body
    }

    public static func json(_ value: JSONWriter.Value) -> Payload {
        Payload(contentType: "application/json", body: Array(JSONWriter.write(value).utf8))
    }

    public static func text(_ text: String) -> Payload {
        Payload(contentType: "text/plain; charset=utf-8", body: Array(text.utf8))
    }

    public var string: String { String(decoding: body, as: UTF8.self) }
}

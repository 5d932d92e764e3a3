/// One line of a Kubernetes CRI container log (`/var/log/containers/*.log`):
/// `2024-05-01T12:00:00.123456789Z stderr F message`. `P` marks a partial line that the
/// runtime split (at 16 KiB); the message continues in the following lines up to an `F`.
public struct CRILine: Sendable, Equatable {
    public var timestamp: String
    public var stream: String
    public var partial: Bool
    public var message: ArraySlice<UInt8>

    /// Parses a CRI line; nil when the line is not in that format.
    public static func parse(_ line: ArraySlice<UInt8>) -> CRILine? {
        let space = UInt8(ascii: " ")
        guard let firstSpace = line.firstIndex(of: space), firstSpace - line.startIndex >= 20,
              line[line.startIndex..<(line.startIndex + 4)].allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }),
              line[line.startIndex + 4] == UInt8(ascii: "-") else { return nil }
        let afterTime = line[(firstSpace + 1)...]
        guard let secondSpace = afterTime.firstIndex(of: space) else { return nil }
        let stream = afterTime[..<secondSpace]
        guard stream.elementsEqual("stdout".utf8) || stream.elementsEqual("stderr".utf8) else { return nil }
        let afterStream = line[(secondSpace + 1)...]
        // The tag is `P` or `F`, possibly followed by more `:`-separated flags in newer runtimes.
        let tagEnd = afterStream.firstIndex(of: space) ?? afterStream.endIndex
        let tag = afterStream[..<tagEnd]
        guard let flag = tag.first, flag == UInt8(ascii: "P") || flag == UInt8(ascii: "F") else { return nil }
        let message = tagEnd < afterStream.endIndex ? line[(tagEnd + 1)...] : line[line.endIndex...]
        return CRILine(timestamp: String(decoding: line[..<firstSpace], as: UTF8.self),
                       stream: String(decoding: stream, as: UTF8.self),
                       partial: flag == UInt8(ascii: "P"), message: message)
    }
}

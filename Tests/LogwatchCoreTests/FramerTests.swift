import XCTest
@testable import LogwatchCore

final class FramerTests: XCTestCase {
    func frame(_ text: String, configuration: Framer.Configuration = .init()) -> [LogRecord] {
        Framer.records(in: text, source: "t", configuration: configuration)
    }

    func testStripsANSIAndTheMangledReplacementForm() {
        let records = frame("\u{1B}[92m19:53:06 - LiteLLM:ERROR\u{1B}[0m: x.py:1 - boom\n\u{FFFD}[92m19:53:07 - LiteLLM:ERROR\u{FFFD}[0m: x.py:2 - bang")
        XCTAssertEqual(records.map(\.string), ["19:53:06 - LiteLLM:ERROR: x.py:1 - boom", "19:53:07 - LiteLLM:ERROR: x.py:2 - bang"])
        XCTAssertEqual(records.map(\.level), ["ERROR", "ERROR"])
        XCTAssertEqual(records.first?.timestamp, "19:53:06")
        XCTAssertEqual(records.first?.logger, "LiteLLM")
    }

    func testStripsComposeRFC3339AndSyslogPrefixesOnEveryLine() {
        let text = """
        litellm-1  | 2024-12-24T07:33:15.122179216Z Traceback (most recent call last):
        litellm-1  | 2024-12-24T07:33:15.122237310Z   File "/x/routing.py", line 732, in lifespan
        litellm-1  | 2024-12-24T07:33:15.122237310Z RuntimeError: boom
        Apr 08 08:06:58 host start_litellm.sh[2819225]: INFO:     10.0.0.1:1 - "GET / HTTP/1.1" 200 OK
        """
        let records = frame(text)
        XCTAssertEqual(records.count, 2)
        XCTAssertEqual(records[0].string, "Traceback (most recent call last):\n  File \"/x/routing.py\", line 732, in lifespan\nRuntimeError: boom")
        XCTAssertEqual(records[0].timestamp, "2024-12-24T07:33:15.122179216Z")
        XCTAssertEqual(records[1].string, "INFO:     10.0.0.1:1 - \"GET / HTTP/1.1\" 200 OK")
        XCTAssertEqual(records[1].line, 4)
    }

    func testJoinsAnExceptionLogLineWithItsTracebackAndChainedTracebacks() {
        let text = """
        14:37:51 - LiteLLM Proxy:ERROR: proxy_server.py:7096 - x(): Exception occured - litellm.APIError: boom
        Traceback (most recent call last):
          File "/a.py", line 1, in f
            g()
            ~^^
            ...<84 lines>...
        KeyError: 'x'

        During handling of the above exception, another exception occurred:

        Traceback (most recent call last):
          File "/b.py", line 2, in h
        litellm.exceptions.APIError: boom
        INFO:     1.2.3.4:5 - "POST /chat/completions HTTP/1.1" 500 Internal Server Error
        """
        let records = frame(text)
        XCTAssertEqual(records.count, 2)
        XCTAssertTrue(records[0].string.hasSuffix("litellm.exceptions.APIError: boom"))
        XCTAssertEqual(records[0].line, 1)
        XCTAssertEqual(records[0].endLine, 13)
        XCTAssertEqual(records[1].line, 14)
    }

    func testATracebackAfterABenignLineStartsItsOwnRecord() {
        let records = frame("INFO:     Started server process [1]\nTraceback (most recent call last):\n  File \"/a.py\", line 1, in f\nValueError: x")
        XCTAssertEqual(records.count, 2)
        XCTAssertTrue(records[1].string.hasPrefix("Traceback"))
    }

    func testEmbeddedNewlinesAndNoneTypeTailStayInTheRecord() {
        let text = "10:15:40 - LiteLLM Proxy:ERROR: a.py:1 - x. Received Model Group=gpt-4o\nAvailable Model Group Fallbacks=None\nNoneType: None\n10:15:41 - LiteLLM Proxy:INFO: a.py:2 - next"
        let records = frame(text)
        XCTAssertEqual(records.count, 2)
        XCTAssertEqual(records[0].string, "10:15:40 - LiteLLM Proxy:ERROR: a.py:1 - x. Received Model Group=gpt-4o\nAvailable Model Group Fallbacks=None\nNoneType: None")
    }

    func testDecodesJSONLogLinesWithStacktraceAndExtraKeys() {
        let line = #"{"message": "boom\nsecond", "level": "ERROR", "timestamp": "2025-07-02T08:14:51.120391", "litellm_call_id": "abc", "component": "LiteLLM Proxy", "stacktrace": "Traceback (most recent call last):\nValueError: x"}"#
        let records = frame(line)
        XCTAssertEqual(records.count, 1)
        XCTAssertEqual(records[0].string, "boom\nsecond\nTraceback (most recent call last):\nValueError: x")
        XCTAssertEqual(records[0].level, "ERROR")
        XCTAssertEqual(records[0].logger, "LiteLLM Proxy")
        XCTAssertEqual(records[0].attributes["litellm_call_id"], "abc")
    }

    func testUnwrapsDockerJSONFileLines() {
        let text = #"{"log":"ERROR:    Traceback (most recent call last):\n","stream":"stderr","time":"2024-01-01T00:00:00Z"}"# + "\n"
            + #"{"log":"  File \"/a.py\", line 1, in f\n","stream":"stderr","time":"2024-01-01T00:00:00Z"}"# + "\n"
            + #"{"log":"ValueError: x\n","stream":"stderr","time":"2024-01-01T00:00:00Z"}"#
        let records = frame(text)
        XCTAssertEqual(records.count, 1)
        XCTAssertEqual(records[0].string, "ERROR:    Traceback (most recent call last):\n  File \"/a.py\", line 1, in f\nValueError: x")
    }

    func testAJSONBodyThatIsNotALogLineIsText() {
        let records = frame(#"{"error":{"code":"401","message":"Access denied"}}"#)
        XCTAssertEqual(records.count, 1)
        XCTAssertEqual(records[0].string, #"{"error":{"code":"401","message":"Access denied"}}"#)
        XCTAssertNil(records[0].level)
    }

    func testLongLinesAreTruncatedAndCounted() {
        var configuration = Framer.Configuration()
        configuration.maxLineBytes = 100
        var framer = Framer(source: "t", configuration: configuration)
        var out: [LogRecord] = []
        framer.push(line: ArraySlice(Array(repeating: UInt8(ascii: "a"), count: 1000)), number: 1, into: &out)
        framer.flush(into: &out)
        XCTAssertEqual(out[0].text.count, 100)
        XCTAssertTrue(out[0].truncated)
        XCTAssertEqual(framer.statistics.truncatedLines, 1)
    }

    func testInvalidUTF8AndNULBytesDoNotCrash() {
        var framer = Framer(source: "t")
        var out: [LogRecord] = []
        let garbage: [UInt8] = [0xFF, 0xFE, 0x00, 0x1B, 0x5B, 0xC3, 0x28, 0x00, 0xEF, 0xBF, 0xBD, 0x5B, 0x39]
        for i in 0..<50 { framer.push(line: ArraySlice(garbage.shuffled() + garbage), number: i, into: &out) }
        framer.flush(into: &out)
        XCTAssertFalse(out.isEmpty)
        XCTAssertFalse(out[0].string.isEmpty)
    }

    func testRecordsAreCappedInLines() {
        var configuration = Framer.Configuration()
        configuration.maxRecordLines = 10
        let text = (0..<25).map { "line \($0)" }.joined(separator: "\n")
        XCTAssertEqual(frame(text, configuration: configuration).count, 3)
    }
}

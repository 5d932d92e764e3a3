import XCTest
@testable import LogwatchCore

/// Records end where the structure says so (issue 13): bare exception lines after a complete
/// record, journal entries, LiteLLM's multi-line messages, and open records handed out early.
final class FramerStructureTests: XCTestCase {
    func frame(_ text: String) -> [String] {
        Framer.records(in: text, source: "t").map(\.string)
    }

    /// Frames lines as a journal delivers them: each line is an entry of its own.
    func frameEntries(_ lines: [String]) -> [String] {
        var framer = Framer(source: "journal")
        var out: [LogRecord] = []
        for (i, line) in lines.enumerated() {
            framer.push(line: Array(line.utf8)[...], number: i + 1, entry: true, into: &out)
        }
        framer.flush(into: &out)
        return out.map(\.string)
    }

    func testBareExceptionLineAfterAnAccessLineIsARecordOfItsOwn() {
        let records = frame("""
        INFO:     127.0.0.1:5 - "POST /chat/completions HTTP/1.1" 429 Too Many Requests
        litellm.exceptions.AuthenticationError: litellm.AuthenticationError: AzureException - invalid subscription key
        """)
        XCTAssertEqual(records.count, 2)
        XCTAssertTrue(records[1].hasPrefix("litellm.exceptions.AuthenticationError"))
    }

    func testNothingContinuesAnAccessLine() {
        let records = frame("""
        INFO:     127.0.0.1:5 - "GET /health HTTP/1.1" 200 OK
        some printed text
        """)
        XCTAssertEqual(records.count, 2)
    }

    func testBareExceptionLineAfterAFinishedTracebackIsARecordOfItsOwn() {
        let records = frame("""
        14:37:51 - LiteLLM Proxy:ERROR: proxy_server.py:7096 - x(): Exception occured - boom
        Traceback (most recent call last):
          File "/a.py", line 1, in f
        litellm.exceptions.RateLimitError: litellm.RateLimitError: slow down
        Received Model Group=gpt-4o
        Available Model Group Fallbacks=None
        litellm.exceptions.AuthenticationError: litellm.AuthenticationError: bad key
        """)
        XCTAssertEqual(records.count, 2)
        XCTAssertTrue(records[0].hasSuffix("Available Model Group Fallbacks=None"), records[0])
        XCTAssertTrue(records[1].hasPrefix("litellm.exceptions.AuthenticationError"))
    }

    func testConsecutiveBareExceptionLinesAreSeparateRecords() {
        let records = frame("""
        litellm.exceptions.AuthenticationError: one
        litellm.exceptions.RateLimitError: two
        KeyError: 'x'
        """)
        XCTAssertEqual(records, ["litellm.exceptions.AuthenticationError: one", "litellm.exceptions.RateLimitError: two", "KeyError: 'x'"])
    }

    func testExceptionLineAfterALineThatAnnouncesItContinues() {
        let records = frame("""
        14:37:51 - LiteLLM Proxy:ERROR: proxy_server.py:7096 - chat_completion(): Exception occured -
        litellm.exceptions.BadRequestError: litellm.BadRequestError: bad
        """)
        XCTAssertEqual(records.count, 1)
    }

    func testPlainContinuationLinesStillJoin() {
        let records = frame("""
        Usage: litellm [OPTIONS]
        Try 'litellm --help' for help.

        Error: No such option: --restart Did you mean --test?
        """)
        XCTAssertEqual(records.count, 1)
    }

    func testExceptionLineShapes() {
        for yes in ["KeyError: 'x'", "litellm.exceptions.BudgetExceededError: Budget has been exceeded!",
                    "httpx.ConnectTimeout", "asyncio.exceptions.CancelledError", "openai.APIConnectionError: Connection error.",
                    "prisma.errors.ClientNotConnectedError: Client is not connected"] {
            XCTAssertTrue(Framer.isExceptionLine(Array(yes.utf8)[...]), yes)
        }
        for no in ["Received Model Group=gpt-4o", "Requester IP Address:127.0.0.1", "Key Identity: key_alias=x",
                   "the Error: x", "error: lowercase", "Model: gpt", "  KeyError: 'x'", "Usage: litellm"] {
            XCTAssertFalse(Framer.isExceptionLine(Array(no.utf8)[...]), no)
        }
    }

    func testJournalEntriesAreRecordsOfTheirOwn() {
        // Interleaved errors: each entry one record (four of five used to vanish into a neighbour).
        let records = frameEntries([
            "09:00:01 - LiteLLM Proxy:ERROR: proxy_server.py:1 - Exception occured - litellm.RateLimitError: 429",
            "litellm.exceptions.AuthenticationError: litellm.AuthenticationError: AzureException - invalid key",
            "litellm.exceptions.AuthenticationError: litellm.AuthenticationError: AzureException - invalid key",
            "some stray print",
            "litellm.exceptions.AuthenticationError: litellm.AuthenticationError: AzureException - invalid key",
        ])
        XCTAssertEqual(records.count, 5)
    }

    func testJournalTracebackAndMultiLineMessagePiecesStayWhole() {
        let records = frameEntries([
            "09:00:01 - LiteLLM Proxy.stdout:WARNING: user_api_key_auth.py:1 - user_api_key_auth(): Exception occured - Authentication Error",
            "Requester IP Address:127.0.0.1",
            "Key Identity: key_alias=None user_id=None",
            "09:00:02 - LiteLLM Proxy:ERROR: proxy_server.py:7 - Exception occured - boom",
            "Traceback (most recent call last):",
            "  File \"/a.py\", line 1, in f",
            "    g()",
            "litellm.exceptions.RateLimitError: litellm.RateLimitError: slow",
            "Received Model Group=gpt-4o",
            "Available Model Group Fallbacks=None",
            "INFO:     127.0.0.1:5 - \"POST /chat/completions HTTP/1.1\" 429 Too Many Requests",
        ])
        XCTAssertEqual(records.count, 3, records.joined(separator: "\n---\n"))
        XCTAssertTrue(records[0].hasSuffix("Key Identity: key_alias=None user_id=None"))
        XCTAssertTrue(records[1].hasSuffix("Available Model Group Fallbacks=None"))
    }

    func testPendingHandsOutTheOpenRecordAndItsFinalFormFollows() {
        var framer = Framer(source: "t")
        var out: [LogRecord] = []
        framer.push(line: Array("14:00:00 - LiteLLM Proxy:ERROR: p.py:1 - Exception occured - boom".utf8)[...], number: 1, into: &out)
        XCTAssertTrue(out.isEmpty)
        let early = framer.pending()
        XCTAssertEqual(early?.revision, .provisional)
        XCTAssertEqual(early?.endLine, 1)
        XCTAssertNil(framer.pending(), "nothing new since")
        framer.push(line: Array("Traceback (most recent call last):".utf8)[...], number: 2, into: &out)
        framer.push(line: Array("KeyError: 'x'".utf8)[...], number: 3, into: &out)
        XCTAssertTrue(out.isEmpty, "the record stays open: no timing ends it")
        framer.push(line: Array("INFO:     1.2.3.4:5 - \"POST /x HTTP/1.1\" 500 Internal Server Error".utf8)[...], number: 4, into: &out)
        XCTAssertEqual(out.count, 1)
        XCTAssertEqual(out[0].revision, .grown)
        XCTAssertEqual(out[0].endLine, 3)
        XCTAssertNotNil(framer.pending())
        framer.flush(into: &out)
        XCTAssertEqual(out[1].revision, .unchanged)
    }
}

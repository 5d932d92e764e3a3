import Foundation
import TestSupport
import XCTest
@testable import LogwatchCore

final class RedactorTests: XCTestCase {
    let redactor = Redactor()

    func testMasksEverySecretKindKeepingTheLastFour() {
        let cases: [(String, String, String)] = [
            ("key sk-proj-AbCdEf1234567890XyZw done", "sk-proj-AbCdEf1234567890XyZw", "sk-****XyZw"),
            ("Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.payload.sig9", "eyJhbGciOiJIUzI1NiJ9.payload.sig9", "****sig9"),
            ("Key Hash (Token) =7cd2579696d03c1f6a2c4b0e1d5f9a8b3c2d1e0f9a8b7c6d5e4f3a2b1c0d9e8f.", "7cd2579696d03c1f6a2c4b0e1d5f9a8b3c2d1e0f9a8b7c6d5e4f3a2b1c0d9e8f", "****9e8f"),
            ("api_key=abcdef0123456789abcd&x=1", "abcdef0123456789abcd", "****abcd"),
            ("x-api-key: sk-ant-api03-zzzzzzzzzzzzzzzzQQQQ", "sk-ant-api03-zzzzzzzzzzzzzzzzQQQQ", "QQQQ"),
            ("AWS key AKIAIOSFODNN7EXAMPLE used", "AKIAIOSFODNN7EXAMPLE", "****MPLE"),
            ("azure api-key: 0123456789abcdef0123456789abcdef", "0123456789abcdef0123456789abcdef", "****cdef"),
            ("models/gemini:generateContent?key=AIzaSyA1234567890abcdefghijklmnopqrstuv", "AIzaSyA1234567890abcdefghijklmnopqrstuv", "stuv"),
        ]
        for (input, secret, mustContain) in cases {
            let output = redactor.redact(input)
            XCTAssertFalse(output.contains(secret), "secret left in: \(output)")
            XCTAssertTrue(output.contains(mustContain), "\(output) should contain \(mustContain)")
        }
    }

    func testLeavesAlreadyMaskedKeysAndOrdinaryTextAlone() {
        let text = "Received API Key = sk-...8aSP, max_tokens=100, model=gpt-4o, status 401"
        XCTAssertEqual(redactor.redact(text), text)
    }

    func testThousandPlantedSecretsNoneLeaks() {
        var generator = SystemRandomNumberGenerator()
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")
        var secrets: [String] = []
        var lines: [String] = []
        for i in 0..<1000 {
            let body = String((0..<32).map { _ in alphabet.randomElement(using: &generator)! })
            let secret: String
            switch i % 4 {
            case 0: secret = "sk-" + body; lines.append("litellm.AuthenticationError: Incorrect API key provided: \(secret).")
            case 1: secret = body; lines.append("headers={'Authorization': 'Bearer \(secret)'}")
            case 2: secret = String((0..<64).map { _ in Array("0123456789abcdef").randomElement(using: &generator)! })
                lines.append("Key Hash (Token) =\(secret). Unable to find token")
            default: secret = body; lines.append("\"api_key\": \"\(secret)\"")
            }
            secrets.append(secret)
        }
        let output = redactor.redact(lines.joined(separator: "\n"))
        let leaked = secrets.filter { output.contains($0) }
        XCTAssertEqual(leaked.count, 0, "leaked: \(leaked.prefix(3))")
    }

    /// The trigger words only skip PCRE2 runs that could not match: every pattern run on every
    /// text gives the same output, secret by secret, in any letter case.
    func testTriggersChangeNothing() throws {
        XCTAssertEqual(Redactor.triggers.count, Redactor.patterns.count)
        var ungated = Redactor()
        ungated.usesTriggers = false
        var texts = [
            "Authorization: BEARER abcdefgh12345678", "SK-notakey sk-AbCdEf1234567890XyZw", "API-KEY = 0123456789abcdef0123456789abcdef",
            "Ocp-Apim-Subscription-Key: 0123456789abcdef0123456789abcdef", "X-Goog-Api-Key: AIzaSyA1234567890abcdefghijklmnopqrstuv",
            "POSTGRESQL://user:pa55word@db:5432/litellm", "rediss://:hunter22@cache:6379", "https://hooks.slack.com/services/T0/B0/xyz",
            "https://discordapp.com/api/webhooks/123/abc-DEF", "xoxb-1234567890-abcdef", "?sig=abcdef123&code=zzzzzz99", "ASIAABCDEFGHIJKLMNOP",
            "PASSWORD: hunter2hunter2", "Token=abcdef123456", "secret=\"s3cr3t!!\"", String(repeating: "ab", count: 40),
            "api_key: os.environ/AZURE_API_KEY", "nothing to see here",
        ]
        texts += try Repository.corpusTexts()
        var masked = 0
        for text in texts {
            let expected = ungated.redact(text)
            XCTAssertEqual(redactor.redact(text), expected, text)
            if expected != text { masked += 1 }
        }
        XCTAssertGreaterThan(masked, 15, "the texts hold secrets of every kind")
    }

    func testFieldsNamedAsCredentialsAreMaskedWholeButLookalikesAreNot() {
        let fields = redactor.redact([
            "api_key": "plainvalue1234", "client_secret": "abcdefghijkl", "key_hash": "88dc28d0f030c55ed4ab77ed8faf098196cb1c05df778539800c9f1243fe6b4b",
            "access_token": "tok", "key_alias": "billing-app-prod", "token_limit": "1000", "key_masked": "sk-...8aSP",
        ])
        XCTAssertEqual(fields["api_key"], "****1234")
        XCTAssertEqual(fields["client_secret"], "****ijkl")
        XCTAssertEqual(fields["key_hash"], "****6b4b")
        XCTAssertEqual(fields["access_token"], "****")
        XCTAssertEqual(fields["key_alias"], "billing-app-prod")
        XCTAssertEqual(fields["token_limit"], "1000")
        XCTAssertEqual(fields["key_masked"], "sk-...8aSP")
        XCTAssertEqual(redactor.redact(field: "API-Key", value: "****abcd"), "****abcd", "already masked stays as it is")
    }

    func testEnvironmentReferencesInConfigLinesAreNotSecrets() {
        let redactor = Redactor()
        XCTAssertEqual(redactor.redact("api_key: os.environ/AZURE_API_KEY"), "api_key: os.environ/AZURE_API_KEY")
        XCTAssertEqual(redactor.redact(field: "api_key", value: "os.environ/OPENAI_API_KEY"), "os.environ/OPENAI_API_KEY")
        XCTAssertEqual(redactor.redact("api_key: 0123456789abcdef0123"), "api_key: ****0123")
    }
}

/// The spans of a record that a caller chose: the model name a client sent, its `user` field,
/// the messages of its prompt. LiteLLM copies them into its own error lines (`Invalid model name
/// passed in model=<name>`, `Received Model Group=<name>`, debug dumps of the request), so a client
/// whose prompt or model name says `Budget has been exceeded!` would otherwise steer the class.
///
/// Rules are matched against the record with these values replaced by a placeholder; the keys stay,
/// so `Invalid model name passed in model=` still matches, and fields are still read from the
/// original text. Masking only removes text, so everything the gate lets through stays a superset.
///
/// The router's `Cooldown Deployments=[...]` debug list is masked too: it quotes earlier failures
/// of other deployments (`'exception_received': '...'`), not the failure of this record.
public enum CallerText {
    /// What a masked value reads as.
    public static let placeholder = Array("caller-text".utf8)

    /// Each alternative matches the value only (`\K` drops the key from the match). Values end
    /// where LiteLLM's fixed wording resumes, so a model name with spaces is masked whole.
    static let spans = try! PCRE2Pattern(#"""
        (?x) (?:
            Invalid\ model\ name\ passed\ in\ model=\K .*? (?=\.\ Call\ `|$)
          | You\ passed\ in\ model=\K .*? (?=\.\ There\ (?:is|are)\ no|$)
          | Received\ Model\ Group=\K [^\n]*
          | Passed\ model=\K .*? (?=\.\ pre-call-checks=|\.\ All\ deployments|\.\ Call\ |$)
          | original\ model_group=\K .*? (?=\.\ Fallbacks=|$)
          | (?:model_group|Messages):\ `\K [^`]* (?=`)
          | \b(?:model|user|user_id|end_user|key_alias|team_alias)=\K (?:'[^'\n]*'|"[^"\n]*"|[^\s,)\]}'"]+)
          | End\ User=\K [^\s,]+
          | Cooldown\ Deployments=\K \[[^\n]*
          | ['"](?:model|user|content|prompt|input)['"]:\s* (?:'\K(?:[^'\\\n]|\\.)*(?=')|"\K(?:[^"\\\n]|\\.)*(?="))
        )
        """#)

    /// The record with every caller span replaced, or nil when it has none (the common case).
    public static func masked(_ bytes: UnsafeRawBufferPointer) -> [UInt8]? {
        var out: [UInt8] = []
        var copied = 0, offset = 0
        while offset < bytes.count, case .match(let start, let end) = spans.firstMatch(in: bytes, from: offset) {
            if end > start && start >= copied {
                out += bytes[copied..<start]
                out += placeholder
                copied = end
            }
            offset = max(end, start + 1)
        }
        guard copied > 0 else { return nil }
        out += bytes[copied...]
        return out
    }

    public static func masked(_ text: String) -> String {
        let bytes = Array(text.utf8)
        guard let out = bytes.withUnsafeBytes({ masked($0) }) else { return text }
        return String(decoding: out, as: UTF8.self)
    }
}

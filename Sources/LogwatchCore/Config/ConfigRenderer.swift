/// Prints an effective config as YAML that parses back to the same config, with every URL
/// masked: a webhook URL is a credential (whoever holds it can post), so only its scheme, host
/// and the last 4 characters of its path survive, the `Redactor` convention.
public enum ConfigRenderer {
    /// `https://hooks.slack.com/services/T0/B0/abcdefgh` → `https://hooks.slack.com/****efgh`.
    public static func maskURL(_ url: String) -> String { URLParts.mask(url, .pathTail) ?? "****" }

    /// The effective config. Comments say where defaults and URLs came from; `shippedRules` is
    /// where the default catalogue was found, when the config lists no rule directories.
    public static func render(_ config: LogwatchConfig, shippedRules: String? = nil) -> String {
        var lines: [String] = []
        lines.append("state_dir: \(scalar(config.stateDirectory ?? "~/.local/state/logwatch"))")
        lines.append("host: \(config.host.map(scalar) ?? "~  # the machine's host name")")
        lines.append("links:")
        if let base = config.links.baseURL {
            // Entry links are meant to be shared; only sink URLs are credentials.
            lines.append("  base_url: \(scalar(base))")
        } else {
            lines.append("  base_url: ~  # none: notices carry 'logwatch explain ID' instead of a link")
        }
        lines.append("http:")
        lines.append("  listen: \(config.http.listen.map { scalar($0.description) } ?? "off")")
        if let file = config.http.tokenFile { lines.append("  token_file: \(scalar(file))  # the console's write token") }
        lines.append("rules:")
        lines.append("  dirs: \(list(config.rules.directories))" + (config.rules.directories.isEmpty ? "  # the shipped catalogue" + (shippedRules.map { ": \($0)" } ?? "") : ""))
        lines.append("  disable: \(list(config.rules.disabled))")
        lines.append("sources:")
        for source in config.sources {
            lines.append("  - type: \(source.type)")
            switch source {
            case .file(let file):
                lines.append("    paths: \(list(file.paths))")
                lines.append("    from: \(file.from.rawValue)")
            case .journal(let journal):
                lines.append("    units: \(list(journal.units))")
                lines.append("    matches: \(list(journal.matches))")
                lines.append("    directory: \(journal.directory.map(scalar) ?? "~  # the system journal")")
            case .docker(let docker):
                if let container = docker.container { lines.append("    container: \(scalar(container))") }
                if !docker.paths.isEmpty { lines.append("    paths: \(list(docker.paths))") }
            case .cri(let cri):
                lines.append("    paths: \(list(cri.paths))")
            case .stdin(let stdin):
                lines.append("    format: \(stdin.format.rawValue)")
            }
        }
        lines.append("policy:")
        lines.append("  group_wait: \(config.policy.groupWait)")
        lines.append("  group_interval: \(config.policy.groupInterval)")
        lines.append("  repeat_interval: \(config.policy.repeatInterval)")
        lines.append("  resolve_after: \(config.policy.resolveAfter)")
        lines.append("sinks:")
        for sink in config.sinks {
            lines.append("  - name: \(scalar(sink.name))")
            lines.append("    type: \(sink.kind.rawValue)")
            let origin: String
            switch sink.endpoint {
            case .none: origin = ""
            case .url, .urls: origin = ""
            case .environment(let name): origin = "  # from url_env \(name)"
            case .file(let path): origin = "  # from url_file \(path)"
            }
            if sink.urls.count > 1 {
                lines.append("    urls: \(list(sink.urls.map(maskURL)))  # one delivery lane per replica")
            } else if sink.kind.needsURL {
                lines.append("    url: \(sink.url.map { scalar(maskURL($0)) } ?? "~  # not resolved")\(origin)")
            }
            lines.append("    classes: \(list(sink.classes.map(\.rawValue)))")
            lines.append("    min_severity: \(sink.minSeverity.rawValue)")
            lines.append("    max_per_minute: \(sink.maxPerMinute)")
            lines.append("    timeout: \(sink.timeout)")
        }
        lines.append("outbox:")
        lines.append("  max_notices: \(config.outbox.maxNotices)")
        return lines.joined(separator: "\n") + "\n"
    }

    static func list(_ items: [String]) -> String {
        "[" + items.map(scalar).joined(separator: ", ") + "]"
    }

    /// A YAML scalar: plain when that reads back as the same text, else double-quoted.
    static func scalar(_ text: String) -> String {
        let plain = text.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "_./@=:+-~*".contains($0)) }
        let reserved = ["", "~", "null", "true", "false", "yes", "no", "on", "off"].contains(text.lowercased())
        if plain && !reserved, let first = text.first, !"-:@~*".contains(first), !text.contains(": ") {
            return text
        }
        var quoted = "\""
        for character in text {
            switch character {
            case "\"": quoted += "\\\""
            case "\\": quoted += "\\\\"
            case "\n": quoted += "\\n"
            case "\t": quoted += "\\t"
            default: quoted.append(character)
            }
        }
        return quoted + "\""
    }
}

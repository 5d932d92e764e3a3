/// The class an operator triages by. `benign` and `unknown` are not rule outcomes a user
/// configures routes for in the same way: benign records are never reported, and unknown
/// records are error-looking records no rule matched.
public enum IncidentClass: String, Sendable, CaseIterable, Codable, Comparable {
    case auth, quota, model, runtime, deploy, benign, unknown

    /// Classes a rule file may declare.
    public static let ruleClasses: [IncidentClass] = [.auth, .quota, .model, .runtime, .deploy, .benign]
    /// Classes that produce incidents.
    public static let reported: [IncidentClass] = [.auth, .quota, .model, .runtime, .deploy, .unknown]

    public static func < (a: IncidentClass, b: IncidentClass) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }
}

public enum Severity: String, Sendable, CaseIterable, Codable, Comparable {
    case info, warning, error, critical

    public static func < (a: Severity, b: Severity) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }
}

/// Where a failure comes from: the same status from a different origin needs a different fix.
public enum Origin: String, Sendable, CaseIterable, Codable {
    case proxy, provider, router, upstreamProxy = "upstream-proxy", infra, client

    /// Plain words for titles and notices.
    public var phrase: String {
        switch self {
        case .proxy: "the LiteLLM proxy itself"
        case .provider: "the model provider"
        case .router: "the LiteLLM router"
        case .upstreamProxy: "an upstream LiteLLM proxy"
        case .infra: "the proxy's infrastructure"
        case .client: "the calling client"
        }
    }
}

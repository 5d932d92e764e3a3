import Foundation
import Logging
import LogwatchCore

/// SIGHUP: read and compile the new config and rules away from the pipeline; only a config
/// that passed every check is swapped in, on the pipeline's thread, between two batches.
/// Incidents, positions and the outbox carry over; a bad config changes nothing.
extension Daemon {
    func reload() {
        guard let path = options.configPath else { return }
        notifier.reloading()
        reloadQueue.async { [self] in
            let next: ConfigLoader.Loaded
            do {
                next = try ConfigLoader.loadWithRules(path: path)
            } catch {
                logger.error("The new configuration was rejected; the running one stays.",
                             metadata: ["config": "\(path)", "error": "\(error)"])
                metrics.configReloaded(success: false)
                notifier.ready(status: "Reload rejected: \(String("\(error)".prefix(200)))")
                return
            }
            pipeline.perform { [self] _ in apply(next) }
        }
    }

    /// Swaps in a checked config; runs on the pipeline's thread.
    func apply(_ next: ConfigLoader.Loaded) {
        let old = loaded.config
        let new = next.config
        if new.stateDirectory != old.stateDirectory || new.http != old.http || new.outbox != old.outbox {
            logger.warning("state_dir, http and outbox changes take effect at the next restart.")
        }
        var attached: [LogwatchConfig.Source] = []
        for source in new.sources where !old.sources.contains(source) {
            do {
                try pipeline.attach(source)
                attached.append(source)
            } catch {
                // Roll back what this reload attached: all or nothing.
                for source in attached { pipeline.detach(source) }
                logger.error("The new configuration was rejected: a source could not be attached; the running one stays.",
                             metadata: ["source": "\(source.type)", "error": "\(error)"])
                metrics.configReloaded(success: false)
                notifier.ready(status: "Reload rejected: a source could not be attached")
                return
            }
        }
        for source in old.sources where !new.sources.contains(source) { pipeline.detach(source) }
        pipeline.replaceRules(next.ruleSet)
        book.policy = Self.policy(new)
        router = NoticeRouter(routes: Self.routes(new), gates: router.gates)
        context = Self.context(new, ruleSet: next.ruleSet, host: new.host ?? options.host)
        desk.correlator.configure(for: next.ruleSet)
        senders.reload(from: old.sinks, to: new.sinks)
        loaded = next
        bookChanged = true
        http?.entries = EntryPages(rules: next.ruleSet.rules)
        metrics.setRulesLoaded(next.ruleSet.rules.count)
        metrics.configReloaded(success: true)
        logger.info("Reloaded the configuration.", metadata: ["rules": "\(next.ruleSet.rules.count)",
                                                               "sources": "\(pipeline.sourceKeys.count)",
                                                               "sinks": "\(new.sinks.count)"])
        notifier.ready(status: "Reloaded: \(next.ruleSet.rules.count) rules, \(pipeline.sourceKeys.count) source(s).")
    }
}

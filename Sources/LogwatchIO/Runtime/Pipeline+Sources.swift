import LogwatchCore

/// Sources as the config (or the command line) names them.
extension Pipeline {
    /// Adds the sources one config entry stands for. `fromStart` overrides where followed files
    /// start when no checkpoint says otherwise (`--from-start`).
    public func attach(_ source: LogwatchConfig.Source, fromStart: Bool? = nil) throws {
        // A directory or device where a file belongs is refused here, as `config check` does.
        let problems = SourceCheck.problems(source)
        if !problems.isEmpty { throw SourceProblems(problems: problems) }
        switch source {
        case .file(let file):
            for path in file.paths { addFile(path, fromStart: fromStart ?? (file.from == .start)) }
        case .docker(let docker):
            if let container = docker.container { addFile(try DockerLogs.logPath(container: container), fromStart: fromStart ?? false) }
            for path in docker.paths { addFile(path, fromStart: fromStart ?? false) }
        case .cri(let cri):
            for path in cri.paths { addFile(path, fromStart: fromStart ?? false, format: .cri) }
        case .journal(let journal):
            add(try JournalSource(directory: journal.directory, units: journal.units, matches: journal.matches,
                                  fromStart: fromStart ?? false))
        case .stdin(let stdin):
            add(StreamSource(decode: stdin.format == .journalJSON ? JournalJSONDecoder.lines() : nil))
        }
    }

    /// Removes what `attach` added for a config entry (a reload dropped it).
    public func detach(_ source: LogwatchConfig.Source) {
        switch source {
        case .file(let file):
            for path in file.paths { removeFile(path) }
        case .docker(let docker):
            if let container = docker.container, let path = try? DockerLogs.logPath(container: container) { removeFile(path) }
            for path in docker.paths { removeFile(path) }
        case .cri(let cri):
            for path in cri.paths { removeFile(path) }
        case .journal(let journal):
            remove(key: JournalSource.key(directory: journal.directory, units: journal.units, matches: journal.matches))
        case .stdin:
            break  // standard input is read once; a reload cannot take it back
        }
    }
}

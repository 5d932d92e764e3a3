/// Keeps compiled Hyperscan databases between runs: compiling a few hundred patterns takes
/// Hyperscan most of a second and tens of megabytes, loading the compiled bytes a few
/// milliseconds. The core only asks and offers; where the bytes live is the I/O layer's choice.
///
/// Contract: `load` returns exactly the bytes a previous `store` gave for that key, or nil.
/// Both may fail silently (it is a cache); a wrong entry cannot be used, because the compiler
/// stores its full input with the database and compares it on load.
public protocol HyperscanDatabaseCache: Sendable {
    func load(key: String) -> [UInt8]?
    func store(key: String, bytes: [UInt8])
}

/// The cache entry format: the full compile input (host, then every expression), the prefilter
/// flags the compile settled on, then Hyperscan's serialized database.
enum CachedDatabase {
    static func descriptor(_ expressions: [HyperscanDatabase.Expression]) -> [UInt8] {
        var text = "logwatch-hs-cache 1\n" + HyperscanDatabase.hostDescription + "\n"
        for expression in expressions {
            text += "\(expression.id) \(expression.prefilter ? 1 : 0) \(expression.pattern.utf8.count) \(expression.pattern)\n"
        }
        return Array(text.utf8)
    }

    static func key(_ descriptor: [UInt8]) -> String {
        UnknownTemplate.hex(fnv1a64(descriptor, seed: 0xcbf2_9ce4_8422_2325), digits: 16)
            + UnknownTemplate.hex(fnv1a64(descriptor, seed: 0x8422_2325_cbf2_9ce4), digits: 16)
    }

    static func fnv1a64(_ bytes: [UInt8], seed: UInt64) -> UInt64 {
        var hash = seed
        for byte in bytes {
            hash ^= UInt64(byte)
            hash = hash &* 0x100_0000_01b3
        }
        return hash
    }

    static func encode(descriptor: [UInt8], database: HyperscanDatabase) -> [UInt8]? {
        guard let body = database.serialized() else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(16 + descriptor.count + database.expressions.count + body.count)
        appendLength(descriptor.count, to: &out)
        out += descriptor
        appendLength(database.expressions.count, to: &out)
        out += database.expressions.map { $0.prefilter ? 1 : 0 }
        out += body
        return out
    }

    /// The database, when `bytes` were stored for exactly this input and Hyperscan accepts them.
    static func decode(_ bytes: [UInt8], descriptor: [UInt8], expressions: [HyperscanDatabase.Expression]) -> HyperscanDatabase? {
        var offset = 0
        guard let length = readLength(bytes, &offset), length == descriptor.count, offset + length <= bytes.count,
              bytes[offset..<(offset + length)].elementsEqual(descriptor) else { return nil }
        offset += length
        guard let count = readLength(bytes, &offset), count == expressions.count, offset + count < bytes.count else { return nil }
        var settled = expressions
        for i in 0..<count { settled[i].prefilter = bytes[offset + i] == 1 }
        offset += count
        return HyperscanDatabase(serialized: Array(bytes[offset...]), expressions: settled)
    }

    static func appendLength(_ value: Int, to out: inout [UInt8]) {
        for shift in stride(from: 0, to: 64, by: 8) { out.append(UInt8(truncatingIfNeeded: UInt64(value) >> UInt64(shift))) }
    }

    static func readLength(_ bytes: [UInt8], _ offset: inout Int) -> Int? {
        guard offset + 8 <= bytes.count else { return nil }
        var value: UInt64 = 0
        for i in 0..<8 { value |= UInt64(bytes[offset + i]) << UInt64(8 * i) }
        offset += 8
        return value <= UInt64(Int.max) ? Int(value) : nil
    }
}

extension HyperscanDatabase {
    /// The database for `expressions`, from the cache when it holds exactly this input, else
    /// compiled (and offered to the cache).
    static func compiled(_ expressions: [Expression], cache: (any HyperscanDatabaseCache)?) throws(CompileFailure) -> HyperscanDatabase {
        guard let cache else { return try HyperscanDatabase(expressions: expressions) }
        let descriptor = CachedDatabase.descriptor(expressions)
        let key = CachedDatabase.key(descriptor)
        if let bytes = cache.load(key: key),
           let database = CachedDatabase.decode(bytes, descriptor: descriptor, expressions: expressions) {
            return database
        }
        let database = try HyperscanDatabase(expressions: expressions)
        if let bytes = CachedDatabase.encode(descriptor: descriptor, database: database) { cache.store(key: key, bytes: bytes) }
        return database
    }
}

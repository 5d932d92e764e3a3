// libFuzzer target: the decoders for compressed rotations (gzip, bzip2, xz, zstd through the
// system libraries). Any bytes must decode or throw, never trap or leak; the first byte picks the
// format when the input has no magic of its own. Compiled with Decompressor.swift alone.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzDecompress(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    guard let data, size > 1 else { return 0 }
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let format = Decompressor.Format.detect(bytes)
        ?? Decompressor.Format.allCases[Int(bytes[0]) % Decompressor.Format.allCases.count]
    let input = Decompressor.Format.detect(bytes) == nil ? Array(bytes.dropFirst()) : bytes
    // Small blocks on both sides exercise the loops that resume a stream across calls.
    guard let decoder = try? Decompressor(format, outputBlock: 64) else { return 0 }
    var total = 0
    do {
        var offset = 0
        while offset < input.count {
            let end = min(input.count, offset + 1 + Int(input[offset] & 0x7F))
            try decoder.decode(Array(input[offset..<end])) { block in
                total += block.count
                // A bomb guard for the fuzzer's memory: the decoder streams, but stop early.
                if total > 64 << 20 { throw Decompressor.Failure(format: format, reason: "too large for the fuzzer") }
            }
            offset = end
        }
        try decoder.finish()
    } catch {}
    precondition(decoder.producedBytes >= 0)
    return 0
}

/* The common case of SparseFramer.push(line:) over a block of lines, in C: `scan` runs it on
 * every line of a log, and per-line Swift (slices, appends, retains) cost more than the bytes.
 *
 * It must give exactly what the Swift path gives, or hand the line back: a line longer than
 * the framer's limit, a line that may carry a wrapper (docker compose, RFC 3339, syslog) and a
 * JSON-looking line with an escape or a non-ASCII byte all stop the loop, and Swift takes that
 * line (SparseFramerTests compares the two paths; FuzzSparse does on arbitrary bytes).
 *
 * Everything is `static inline`, so Swift inlines it into the loops that call it; line_scan.c
 * compiles these headers with -Wall -Wextra (`make c-check` with -Werror, with and without
 * SSE2). Where SSE2 is there, each 16-byte loop has a `_sse2` and a `_scalar` form with the same
 * contract, and LineScanTests runs both on the same inputs.
 *
 * Buffer contracts: `s`/`in` are read for exactly `n` bytes, never past; `out` must have room
 * for what each function says and may be written anywhere in that room (the SSE2 copies store
 * whole 16-byte blocks, past the newline they stop at); no function allocates or keeps a
 * pointer after it returns. */
#ifndef LOGWATCH_LINE_SCAN_H
#define LOGWATCH_LINE_SCAN_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

typedef struct {
    /* Lines cleaned. */
    size_t lines;
    /* Input bytes they took, each line's newline included (the last one's only if it had one). */
    size_t consumed;
    /* Output bytes written: each cleaned line followed by a newline. */
    size_t written;
    /* 1: stopped before a line that Swift must clean (it starts at `consumed`). */
    int handBack;
} lw_clean_result;

static inline int lw_is_digit(uint8_t c) { return c >= 0x30 && c <= 0x39; }
static inline int lw_is_alnum(uint8_t c) {
    return lw_is_digit(c) || (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A);
}

/* LineCleaner.mayHaveWrapper, on a cleaned line: reads s[0..<n] (s[4], s[10], s[3], s[9] only
 * when n is larger than 20 or 17). */
static inline int lw_may_have_wrapper(const uint8_t *s, size_t n) {
    if (n == 0) return 0;
    uint8_t first = s[0];
    if (first == '|' || first == 0xE2) return 1;
    if (!lw_is_alnum(first)) return 0;
    size_t i = 0;
    while (i < n && (lw_is_alnum(s[i]) || s[i] == '_' || s[i] == '-' || s[i] == '.')) i++;
    while (i < n && s[i] == 0x20) i++;
    if (i < n && s[i] == '|') return 1;
    if (n > 20 && lw_is_digit(first) && s[4] == '-' && s[10] == 'T') return 1;
    if (n > 17 && first >= 0x41 && first <= 0x5A && s[3] == 0x20 && s[9] == ':') return 1;
    return 0;
}

/* LineCleaner.appendStrippingANSI: CSI sequences (ESC [ params final) and, when `mangled`, the
 * form whose ESC became U+FFFD (EF BF BD [ ... m). Reads s[0..<n]; `out` must have room for `n`
 * bytes (stripping only shrinks) and may be `s` itself or start before it (writes never overtake
 * reads). Returns the bytes written to `out`. */
static inline size_t lw_strip_ansi(const uint8_t *s, size_t n, uint8_t *out, int mangled) {
    size_t i = 0, o = 0;
    while (i < n) {
        const uint8_t *esc = memchr(s + i, 0x1B, n - i);
        size_t next = esc ? (size_t)(esc - s) : n;
        if (mangled) {
            const uint8_t *ef = memchr(s + i, 0xEF, next - i);
            if (ef) next = (size_t)(ef - s);
        }
        if (next > i) {
            memcpy(out + o, s + i, next - i);
            o += next - i;
            i = next;
            if (i == n) break;
        }
        size_t start = 0;
        if (s[i] == 0x1B && i + 1 < n && s[i + 1] == '[') {
            start = i + 2;
        } else if (s[i] == 0xEF && i + 3 < n && s[i + 1] == 0xBF && s[i + 2] == 0xBD && s[i + 3] == '[') {
            start = i + 4;
        }
        if (start) {
            size_t j = start;
            while (j < n && s[j] >= 0x30 && s[j] <= 0x3F) j++;
            if (j < n && s[j] >= 0x40 && s[j] <= 0x7E && (s[i] == 0x1B || s[j] == 'm')) {
                i = j + 1;
                continue;
            }
        }
        out[o++] = s[i++];
    }
    return o;
}

/* Bytes of note, eight at a time: bit 0 ESC, bit 1 a byte >= 0x80, bit 2 a backslash.
 * Reads s[0..<n]; no output buffer. */
static inline unsigned lw_bytes_of_note(const uint8_t *s, size_t n) {
    const uint64_t ones = 0x0101010101010101ULL, highs = 0x8080808080808080ULL;
    uint64_t esc = 0, back = 0, high = 0;
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t w;
        memcpy(&w, s + i, 8);
        high |= w;
        uint64_t e = w ^ (ones * 0x1B), b = w ^ (ones * 0x5C);
        esc |= (e - ones) & ~e & highs;
        back |= (b - ones) & ~b & highs;
    }
    unsigned note = 0;
    for (; i < n; i++) {
        high |= s[i];
        if (s[i] == 0x1B) note |= 1;
        if (s[i] == 0x5C) note |= 4;
    }
    if (esc) note |= 1;
    if (back) note |= 4;
    if (high & highs) note |= 2;
    return note;
}

/* lw_line_copy's byte loop from `i` on, with the bytes of note seen before `i`. */
static inline size_t lw_line_copy_from(const uint8_t *s, size_t n, uint8_t *out, unsigned *note, size_t i,
                                       unsigned esc, unsigned back, unsigned high) {
    for (; i < n; i++) {
        uint8_t c = s[i];
        if (c == 0x0A) break;
        out[i] = c;
        if (c == 0x1B) esc = 1;
        if (c == 0x5C) back = 1;
        if (c & 0x80) high = 1;
    }
    *note = (esc ? 1u : 0u) | (high ? 2u : 0u) | (back ? 4u : 0u);
    return i;
}

/* lw_line_copy a byte at a time: the definition the SSE2 form must equal. */
static inline size_t lw_line_copy_scalar(const uint8_t *s, size_t n, uint8_t *out, unsigned *note) {
    return lw_line_copy_from(s, n, out, note, 0, 0, 0, 0);
}

#if defined(__SSE2__)
/* lw_line_copy 16 bytes at a time, then the byte loop for the rest (fewer than 16). */
static inline size_t lw_line_copy_sse2(const uint8_t *s, size_t n, uint8_t *out, unsigned *note) {
    size_t i = 0;
    unsigned esc = 0, back = 0, high = 0;
    const __m128i newline = _mm_set1_epi8(0x0A), escape = _mm_set1_epi8(0x1B), backslash = _mm_set1_epi8(0x5C);
    while (i + 16 <= n) {
        __m128i c = _mm_loadu_si128((const __m128i *)(s + i));
        _mm_storeu_si128((__m128i *)(out + i), c);
        unsigned nl = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(c, newline));
        unsigned e = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(c, escape));
        unsigned b = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(c, backslash));
        unsigned h = (unsigned)_mm_movemask_epi8(c);
        if (nl) {
            unsigned before = (1u << __builtin_ctz(nl)) - 1;
            esc |= e & before; back |= b & before; high |= h & before;
            *note = (esc ? 1u : 0u) | (high ? 2u : 0u) | (back ? 4u : 0u);
            return i + (size_t)__builtin_ctz(nl);
        }
        esc |= e; back |= b; high |= h;
        i += 16;
    }
    return lw_line_copy_from(s, n, out, note, i, esc, back, high);
}
#endif

/* One pass over a line: copies its bytes up to the newline (or `n`) to `out`, and says where
 * the line ends and which bytes of note it holds (lw_bytes_of_note's bits). 16 bytes at a time
 * where SSE2 is there (every x86-64): this loop sees every byte of a scan.
 * Reads s[0..<n]. `out` must have room for `n` bytes; it may be written up to there (past the
 * returned length). Returns the line's length (the index of its newline, or `n`). */
static inline size_t lw_line_copy(const uint8_t *s, size_t n, uint8_t *out, unsigned *note) {
#if defined(__SSE2__)
    return lw_line_copy_sse2(s, n, out, note);
#else
    return lw_line_copy_scalar(s, n, out, note);
#endif
}

/* lw_count_newlines from `i` on, a byte at a time. */
static inline size_t lw_count_newlines_from(const uint8_t *s, size_t n, size_t i, size_t count) {
    for (; i < n; i++) count += s[i] == 0x0A;
    return count;
}

static inline size_t lw_count_newlines_scalar(const uint8_t *s, size_t n) { return lw_count_newlines_from(s, n, 0, 0); }

#if defined(__SSE2__)
static inline size_t lw_count_newlines_sse2(const uint8_t *s, size_t n) {
    size_t i = 0, count = 0;
    const __m128i newline = _mm_set1_epi8(0x0A);
    for (; i + 16 <= n; i += 16) {
        __m128i c = _mm_loadu_si128((const __m128i *)(s + i));
        count += (size_t)__builtin_popcount((unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(c, newline)));
    }
    return lw_count_newlines_from(s, n, i, count);
}
#endif

/* The newlines in `s[0..<n]` (the lines a stretch ends with), 16 bytes at a time. Reads s[0..<n]. */
static inline size_t lw_count_newlines(const uint8_t *s, size_t n) {
#if defined(__SSE2__)
    return lw_count_newlines_sse2(s, n);
#else
    return lw_count_newlines_scalar(s, n);
#endif
}

/* Cleans the lines of `in[0..<n]` into `out` (room for n + 1 bytes: a last line without a
 * newline gets one) as SparseFramer.push does:
 * a trailing CR dropped, colour stripped, each line followed by a newline. `raw_ends[k]` and
 * `clean_ends[k]` get the end of line k's bytes in the input and the offset of its newline in
 * `out`, plus `raw_base` and `clean_base`. At most `max_lines` lines; a last line without a
 * newline only when `final`. Lines longer than `max_line` (which the framer cuts) are handed
 * back like the others Swift must clean. `raw_ends` and `clean_ends` must have room for
 * `max_lines` entries. */
static inline lw_clean_result lw_clean_lines(const uint8_t *in, size_t n, int final, size_t max_line,
                                             uint8_t *out, int64_t *raw_ends, int64_t *clean_ends,
                                             size_t max_lines, int64_t raw_base, int64_t clean_base) {
    lw_clean_result r = {0, 0, 0, 0};
    while (r.lines < max_lines && r.consumed < n) {
        const uint8_t *line = in + r.consumed;
        size_t rest = n - r.consumed;
        uint8_t *o = out + r.written;
        unsigned note;
        /* Copied as is, which is the cleaned line unless it has colour (`o` has room: no line
         * written so far grew, so out + written + rest <= out + n). */
        size_t length = lw_line_copy(line, rest, o, &note);
        int has_newline = length < rest;
        if (!has_newline && !final) break;
        if (length > max_line) { r.handBack = 1; break; }
        size_t text = length;
        if (text > 0 && line[text - 1] == 0x0D) text--;
        size_t cleaned = text;
        if (note & 3) {
            cleaned = lw_strip_ansi(line, text, o, (note & 2) != 0);
            note = lw_bytes_of_note(o, cleaned);
        }
        if (cleaned > 0) {
            uint8_t first = o[0];
            if ((lw_is_alnum(first) || first == '|' || first == 0xE2) && lw_may_have_wrapper(o, cleaned)) {
                r.handBack = 1;
                break;
            }
            if (first == '{' && o[cleaned - 1] == '}' && (note & 6)) {
                r.handBack = 1;
                break;
            }
        }
        o[cleaned] = 0x0A;
        raw_ends[r.lines] = raw_base + (int64_t)(r.consumed + length);
        clean_ends[r.lines] = clean_base + (int64_t)(r.written + cleaned);
        r.written += cleaned + 1;
        r.consumed += has_newline ? length + 1 : length;
        r.lines++;
    }
    return r;
}

/* 1 when this build has the SSE2 forms (`_sse2`), 0 when only the byte loops exist. */
int lw_line_scan_has_sse2(void);

#endif

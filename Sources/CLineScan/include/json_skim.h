/* JSONLine.skim in C: the JSON log lines with escapes are a tenth of a typical log's lines and
 * were a tenth of `scan`'s time in Swift. Same grammar as JSONLine.parseObject, step for step
 * (SparseFramerTests.testSkimAgreesWithParseObject and FuzzSparse hold it to that). */
#ifndef LOGWATCH_JSON_SKIM_H
#define LOGWATCH_JSON_SKIM_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

enum {
    LW_SKIM_MESSAGE_KEY = 1,   /* a `message`, `msg` or `MESSAGE` key */
    LW_SKIM_LOG_KEY = 2,       /* a `log` key (Docker json-file) */
    LW_SKIM_STACK_KEY = 4,     /* a `stacktrace` or `exc_info` key */
    LW_SKIM_UNICODE_ESCAPE = 8 /* a \u escape (left as written) */
};

typedef struct {
    const uint8_t *b;
    size_t n, i, copied, o;
    uint8_t *out;
    unsigned flags;
} lw_skimmer;

static inline void lw_skim_copy(lw_skimmer *s, size_t from, size_t to) {
    memcpy(s->out + s->o, s->b + from, to - from);
    s->o += to - from;
}

static inline void lw_skim_space(lw_skimmer *s) {
    while (s->i < s->n) {
        uint8_t c = s->b[s->i];
        if (c != 0x20 && c != 0x09 && c != 0x0A && c != 0x0D) break;
        s->i++;
    }
}

/* lw_skim_plain a byte at a time: the definition the SSE2 form must equal. */
static inline size_t lw_skim_plain_scalar(const uint8_t *b, size_t i, size_t n) {
    while (i < n && b[i] != '"' && b[i] != '\\') i++;
    return i;
}

#if defined(__SSE2__)
static inline size_t lw_skim_plain_sse2(const uint8_t *b, size_t i, size_t n) {
    const __m128i quote = _mm_set1_epi8('"'), backslash = _mm_set1_epi8('\\');
    while (i + 16 <= n) {
        __m128i c = _mm_loadu_si128((const __m128i *)(b + i));
        unsigned m = (unsigned)_mm_movemask_epi8(_mm_or_si128(_mm_cmpeq_epi8(c, quote), _mm_cmpeq_epi8(c, backslash)));
        if (m) return i + (size_t)__builtin_ctz(m);
        i += 16;
    }
    return lw_skim_plain_scalar(b, i, n);
}
#endif

/* The index of the next `"` or backslash at or after `i`, or `n`: string bodies are most of a
 * JSON log line, and are skipped 16 bytes at a time. Reads b[i..<n]. */
static inline size_t lw_skim_plain(const uint8_t *b, size_t i, size_t n) {
#if defined(__SSE2__)
    return lw_skim_plain_sse2(b, i, n);
#else
    return lw_skim_plain_scalar(b, i, n);
#endif
}

static inline int lw_skim_string(lw_skimmer *s, int decode) {
    if (s->i >= s->n || s->b[s->i] != '"') return 0;
    s->i++;
    if (decode) { lw_skim_copy(s, s->copied, s->i); s->copied = s->i; }
    while (s->i < s->n) {
        uint8_t c = s->b[s->i];
        if (c == '"') {
            if (decode) { lw_skim_copy(s, s->copied, s->i); s->copied = s->i; }
            s->i++;
            return 1;
        }
        if (c != '\\') { s->i = lw_skim_plain(s->b, s->i + 1, s->n); continue; }
        if (decode) lw_skim_copy(s, s->copied, s->i);
        s->i++;
        if (s->i >= s->n) return 0;
        uint8_t e = s->b[s->i++];
        switch (e) {
        case 'n': if (decode) s->out[s->o++] = 0x0A; break;
        case 't': if (decode) s->out[s->o++] = 0x09; break;
        case 'r': if (decode) s->out[s->o++] = 0x0D; break;
        case 'b': if (decode) s->out[s->o++] = 0x08; break;
        case 'f': if (decode) s->out[s->o++] = 0x0C; break;
        case 'u':
            if (s->i + 4 > s->n) return 0;
            for (int k = 0; k < 4; k++) {
                uint8_t h = s->b[s->i];
                if (!((h >= '0' && h <= '9') || (h >= 'A' && h <= 'F') || (h >= 'a' && h <= 'f'))) return 0;
                s->i++;
            }
            s->flags |= LW_SKIM_UNICODE_ESCAPE;
            if (decode) lw_skim_copy(s, s->i - 6, s->i);
            break;
        default: if (decode) s->out[s->o++] = e;
        }
        if (decode) s->copied = s->i;
    }
    return 0;
}

static inline int lw_skim_nested(lw_skimmer *s) {
    long depth = 0;
    while (s->i < s->n) {
        uint8_t c = s->b[s->i];
        if (c == '"') {
            if (!lw_skim_string(s, 0)) return 0;
            continue;
        }
        if (c == '{' || c == '[') depth++;
        if (c == '}' || c == ']') {
            depth--;
            if (depth == 0) { s->i++; return 1; }
        }
        s->i++;
    }
    return 0;
}

static inline int lw_skim_token_end(uint8_t c) {
    return c == ',' || c == '}' || c == ']' || c == 0x20 || c == 0x09 || c == 0x0A || c == 0x0D;
}

static inline int lw_skim_value(lw_skimmer *s) {
    if (s->i >= s->n) return 0;
    uint8_t c = s->b[s->i];
    if (c == '"') return lw_skim_string(s, 1);
    if (c == '{' || c == '[') return lw_skim_nested(s);
    size_t start = s->i;
    while (s->i < s->n && !lw_skim_token_end(s->b[s->i])) s->i++;
    size_t length = s->i - start;
    const uint8_t *t = s->b + start;
    if ((length == 4 && memcmp(t, "null", 4) == 0) || (length == 4 && memcmp(t, "true", 4) == 0)
        || (length == 5 && memcmp(t, "false", 5) == 0)) return 1;
    if (length == 0) return 0;
    return t[0] == '-' || (t[0] >= '0' && t[0] <= '9');
}

static inline void lw_skim_note(lw_skimmer *s, const uint8_t *key, size_t length) {
#define LW_IS(word) (length == sizeof(word) - 1 && memcmp(key, word, length) == 0)
    if (LW_IS("message") || LW_IS("msg") || LW_IS("MESSAGE")) s->flags |= LW_SKIM_MESSAGE_KEY;
    else if (LW_IS("log")) s->flags |= LW_SKIM_LOG_KEY;
    else if (LW_IS("stacktrace") || LW_IS("exc_info")) s->flags |= LW_SKIM_STACK_KEY;
#undef LW_IS
}

/* Reads b[0..<n]. Writes the line to `out` (room for n bytes: decoding only shrinks) with the escapes of its top-level keys and string
 * values decoded and everything else as written. Returns the bytes written, or -1 when
 * JSONLine.parseObject would not accept the line. `flags` gets the LW_SKIM_ bits. */
static inline long lw_skim(const uint8_t *b, size_t n, uint8_t *out, unsigned *flags) {
    lw_skimmer s = {b, n, 0, 0, 0, out, 0};
    lw_skim_space(&s);
    if (s.i >= n || b[s.i] != '{') return -1;
    s.i++;
    lw_skim_space(&s);
    if (s.i < n && b[s.i] == '}') {
        s.i++;
    } else {
        for (;;) {
            lw_skim_space(&s);
            size_t keyStart = s.o + (s.i - s.copied) + 1;
            if (!lw_skim_string(&s, 1)) return -1;
            lw_skim_note(&s, s.out + keyStart, s.o - keyStart);
            lw_skim_space(&s);
            if (s.i >= n || b[s.i] != ':') return -1;
            s.i++;
            lw_skim_space(&s);
            if (!lw_skim_value(&s)) return -1;
            lw_skim_space(&s);
            if (s.i >= n) return -1;
            if (b[s.i] == ',') { s.i++; continue; }
            if (b[s.i] == '}') { s.i++; break; }
            return -1;
        }
    }
    lw_skim_space(&s);
    if (s.i != n) return -1;
    lw_skim_copy(&s, s.copied, s.i);
    *flags = s.flags;
    return (long)s.o;
}

#endif

/* Redactor.hasHexRun in C: whether a text holds `length` hex digits in a row (a SHA-256 key
 * hash). Every text the redactor sees is checked, so this byte loop is on scan's path. */
#ifndef LOGWATCH_HEX_RUN_H
#define LOGWATCH_HEX_RUN_H

#include <stddef.h>
#include <stdint.h>

/* Reads s[0..<n] at most; no output buffer. */
static inline int lw_has_hex_run(const uint8_t *s, size_t n, size_t length) {
    if (n < length) return 0;
    size_t run = 0;
    for (size_t i = 0; i < n; i++) {
        uint8_t c = s[i];
        if ((uint8_t)(c - '0') < 10 || (uint8_t)((c | 0x20) - 'a') < 6) {
            if (++run >= length) return 1;
        } else {
            run = 0;
            /* Not enough bytes left for a run: stop early. */
            if (n - i - 1 < length) return 0;
        }
    }
    return 0;
}

#endif

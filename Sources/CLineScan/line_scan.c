/* The translation unit that makes CLineScan a C target: the compiler checks the headers with
 * the target's warnings (-Wall -Wextra; `make c-check` adds -Werror and a build without SSE2).
 * The functions themselves stay `static inline` in include/, so Swift inlines them into its
 * loops exactly as before. */
#include "line_scan.h"
#include "json_skim.h"
#include "hex_run.h"

int lw_line_scan_has_sse2(void) {
#if defined(__SSE2__)
    return 1;
#else
    return 0;
#endif
}

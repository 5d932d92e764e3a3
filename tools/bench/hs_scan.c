/* Engine-only reference for `make bench`: Hyperscan alone, the same patterns ripgrep gets,
 * block mode over 256 KiB reads (as logwatch reads), counting matches. No framing, no
 * classification, no output: the floor under what logwatch's scan can cost.
 * usage: hs_scan PATTERNS FILE  -> prints "<bytes> <seconds> <matches>" */
#include <hs/hs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static int on_match(unsigned id, unsigned long long from, unsigned long long to, unsigned flags, void *ctx) {
    (void)id; (void)from; (void)to; (void)flags;
    ++*(unsigned long long *)ctx;
    return 0;
}

int main(int argc, char **argv) {
    if (argc != 3) { fprintf(stderr, "usage: hs_scan PATTERNS FILE\n"); return 2; }
    FILE *pf = fopen(argv[1], "r");
    if (!pf) { perror(argv[1]); return 2; }
    char **patterns = NULL; unsigned *flags = NULL, *ids = NULL, n = 0;
    char line[16384];
    while (fgets(line, sizeof line, pf)) {
        line[strcspn(line, "\n")] = 0;
        if (!*line) continue;
        patterns = realloc(patterns, (n + 1) * sizeof *patterns);
        flags = realloc(flags, (n + 1) * sizeof *flags);
        ids = realloc(ids, (n + 1) * sizeof *ids);
        patterns[n] = strdup(line); flags[n] = HS_FLAG_MULTILINE; ids[n] = n; n++;
    }
    hs_database_t *db; hs_compile_error_t *err;
    /* As logwatch does: a pattern Hyperscan cannot run exactly is retried as a prefilter. */
    while (hs_compile_multi((const char *const *)patterns, flags, ids, n, HS_MODE_BLOCK, NULL, &db, &err) != HS_SUCCESS) {
        int i = err->expression;
        if (i < 0 || (flags[i] & HS_FLAG_PREFILTER)) {
            fprintf(stderr, "hs_compile_multi: %s (pattern %d)\n", err->message, i); return 2;
        }
        flags[i] |= HS_FLAG_PREFILTER;
        hs_free_compile_error(err);
    }
    hs_scratch_t *scratch = NULL; hs_alloc_scratch(db, &scratch);
    FILE *f = fopen(argv[2], "rb");
    if (!f) { perror(argv[2]); return 2; }
    size_t cap = 256 << 10; char *buf = malloc(cap + 65536); size_t have = 0, total = 0;
    unsigned long long matches = 0;
    struct timespec t0, t1; clock_gettime(CLOCK_MONOTONIC, &t0);
    for (;;) {
        size_t got = fread(buf + have, 1, cap - have, f);
        size_t len = have + got;
        if (len == 0) break;
        size_t cut = len;  /* scan whole lines; keep the partial last one */
        if (got > 0) { while (cut > 0 && buf[cut - 1] != '\n') cut--; if (cut == 0) cut = len; }
        hs_scan(db, buf, cut, 0, scratch, on_match, &matches);
        total += cut;
        memmove(buf, buf + cut, len - cut); have = len - cut;
        if (got == 0 && have == 0) break;
        if (got == 0) { hs_scan(db, buf, have, 0, scratch, on_match, &matches); total += have; break; }
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    printf("%zu %.3f %llu\n", total, (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9, matches);
    return 0;
}

#!/usr/bin/env bash
# Builds the libFuzzer targets into .build/fuzz/.
#
# A SwiftPM executable target cannot take -sanitize=fuzzer (SwiftPM wants the module's own
# main, libFuzzer brings its own), so: LogwatchCore's sources are compiled here once into a
# coverage-instrumented static library (-sanitize=fuzzer,address), and each target links it with
# the Yams objects SwiftPM already built. Yams itself stays uninstrumented: the loader's own code
# is what we want coverage of.
set -euo pipefail
cd "$(dirname "$0")/../.."
OUT=.build/fuzz
mkdir -p "$OUT"
swift build --target Yams > /dev/null
BIN=$(swift build --show-bin-path)
YAMS_INCLUDE=$(dirname "$(find .build/checkouts/Yams/Sources/CYaml -name module.modulemap | head -1)")
OBJS=$(find "$BIN/Yams.build" "$BIN/CYaml.build" -name "*.o")
FLAGS=(-sanitize=fuzzer,address -parse-as-library -Onone -g
       -I Sources/CHyperscan -I Sources/CPCRE2 -I Sources/CLineScan/include -I "$BIN/Modules" -I "$YAMS_INCLUDE"
       -enable-upcoming-feature ExistentialAny)
if [ ! -f "$OUT/libLogwatchCore.a" ] || [ -n "$(find Sources/LogwatchCore Sources/CLineScan -newer "$OUT/libLogwatchCore.a" \( -name '*.swift' -o -name '*.h' \))" ]; then
  echo "fuzz: compiling LogwatchCore with coverage"
  swiftc "${FLAGS[@]}" -module-name LogwatchCore -emit-module -emit-module-path "$OUT/LogwatchCore.swiftmodule" \
    -emit-library -static -o "$OUT/libLogwatchCore.a" $(find Sources/LogwatchCore -name "*.swift" | sort)
fi
for target in FuzzFramer FuzzJSONLine FuzzRuleLoader FuzzSparse; do
  if [ -f "$OUT/$target" ] && [ "$OUT/$target" -nt "$OUT/libLogwatchCore.a" ] && [ "$OUT/$target" -nt "tools/fuzz/$target.swift" ]; then
    continue
  fi
  echo "fuzz: linking $target"
  swiftc "${FLAGS[@]}" -module-name "$target" -I "$OUT" "tools/fuzz/$target.swift" "$OUT/libLogwatchCore.a" $OBJS \
    -lhs -lpcre2-8 -o "$OUT/$target" 2>&1 | { grep -v "Cannot export local symbol '__asan" || true; }
done

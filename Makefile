# logwatch — set-up, build, demo and tests. `make demo` and `make test` work on a fresh machine.
SHELL := /bin/bash
SWIFT ?= swift
BUILD_FLAGS ?=
BIN := .build/debug/logwatch
RELEASE_BIN := .build/release/logwatch
ARCH := $(shell dpkg --print-architecture 2>/dev/null || uname -m)
ifeq ($(ARCH),arm64)
HS_PKG := libvectorscan-dev
else
HS_PKG := libhyperscan-dev
endif
# System packages the build and the tests need (tests use real journals and a real Alertmanager later).
DEB_PKGS := $(HS_PKG) libpcre2-dev libsystemd-dev systemd-journal-remote libsqlite3-dev pkg-config python3

.PHONY: deps bench-deps build release demo test accuracy check-rules entries clean bench fuzz fuzz-smoke

# Idempotent: installs only what is missing, without prompts.
deps:
	@missing=""; for p in $(DEB_PKGS); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "Installing:$$missing"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing; \
	fi

# Only `make bench` needs these: the peers it measures against.
BENCH_PKGS := ripgrep time python3-yaml
bench-deps: deps
	@missing=""; for p in $(BENCH_PKGS); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "Installing:$$missing"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing; \
	fi

build: deps
	$(SWIFT) build $(BUILD_FLAGS)

release: deps
	$(SWIFT) build -c release $(BUILD_FLAGS)

# The main job on a shipped sample: classified incidents with their entries.
demo: build
	@echo "== logwatch scan Samples/litellm-proxy.log =="
	@NO_COLOR=1 $(BIN) scan Samples/litellm-proxy.log
	@echo
	@echo "== logwatch explain --line (the Azure 401 seed) =="
	@$(BIN) explain --line 'litellm.exceptions.AuthenticationError: litellm.AuthenticationError: AzureException AuthenticationError - Access denied due to invalid subscription key or wrong API endpoint. Make sure to provide a valid key for an active subscription and use a correct regional API endpoint for your resource.' | head -40

test: deps
	$(SWIFT) build $(BUILD_FLAGS)
	$(BIN) rules check > /dev/null || $(BIN) rules check
	$(SWIFT) test --disable-swift-testing $(BUILD_FLAGS)
	$(MAKE) --no-print-directory fuzz-smoke

check-rules: build
	$(BIN) rules check

# Per-class precision/recall on the dev corpus (each entry as its own input).
accuracy: build
	python3 tools/accuracy.py --bin $(BIN) --corpus $(or $(CORPUS),../shared/corpus/litellm-dev.jsonl)

entries: build
	$(BIN) entries build --out out/entries

# Throughput against ripgrep/grep/wc/cat on a generated 1 GB log (bench-data/, reused), follow
# latency, peak RSS and rule compile time. BENCH_ARGS e.g. "--size-mb 200 --rounds 1 --skip-follow".
bench: bench-deps release
	python3 tools/bench/bench.py --bin $(RELEASE_BIN) $(BENCH_ARGS)

# libFuzzer targets (framer, JSON log lines, rule loader), built outside SwiftPM by
# tools/fuzz/build.sh. fuzz-smoke is the short run `make test` ends with; crashes fail it.
FUZZ_SECONDS ?= 600
FUZZ_SMOKE_SECONDS ?= 15
fuzz: deps
	tools/fuzz/run.sh $(FUZZ_SECONDS)

fuzz-smoke: deps
	tools/fuzz/run.sh $(FUZZ_SMOKE_SECONDS)

clean:
	rm -rf .build out

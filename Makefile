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
# System packages the build and the tests need (tests use real journals and a real Alertmanager).
# strace: a test checks the unit's SystemCallFilter= against what the binary really calls.
# chromium: the console page is loaded headless (--dump-dom, --screenshot); iproute2: a test
# makes a network namespace to call the console from a non-loopback address, and the real-LiteLLM
# bench runs proxies in a loopback-only one; python3-venv, openssl: the bench's venvs and the fake
# provider's self-signed certificate.
# zlib, libbz2, liblzma, libzstd: `scan` and followed globs read logrotate's compressed generations;
# bzip2, xz-utils, zstd: the tests compress the samples with the real tools.
DEB_PKGS := $(HS_PKG) libpcre2-dev libsystemd-dev systemd-journal-remote libsqlite3-dev pkg-config python3 strace prometheus-alertmanager chromium iproute2 python3-venv openssl \
	zlib1g-dev libbz2-dev liblzma-dev libzstd-dev bzip2 xz-utils zstd

.PHONY: deps bench-deps build release demo test torture accuracy litellm-codes check-rules entries clean install uninstall bench fuzz fuzz-smoke c-check \
	live live-check live-fixtures fleet-test version deb-deps deb deb-test image-deps image image-test

# The version, from git describe (tools/version.sh): 0.2.0+git141.g3225f36 until a v* tag exists.
VERSION := $(shell tools/version.sh)
VERSION_HEADER := Sources/CBuildInfo/generated/version.h

# Installs the Debian packages named in $(1) that are missing, without prompts.
define apt-install
	@missing=""; for p in $(1); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "Installing:$$missing"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $$missing || exit 1; \
	fi
endef

# Idempotent: installs only what is missing, without prompts. The tests start Alertmanager
# themselves on loopback; the Debian service that the package enables (listening on all
# interfaces) is switched off when this target installed it.
deps:
	@missing=""; for p in $(DEB_PKGS); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "Installing:$$missing"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing || exit 1; \
	  case "$$missing" in *prometheus-alertmanager*) \
	    if [ -d /run/systemd/system ]; then $$SUDO systemctl disable --now prometheus-alertmanager >/dev/null 2>&1 || true; fi;; \
	  esac; \
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

# The binary's version (logwatch --version) comes from this header, written only when it
# changes, so an unchanged checkout rebuilds nothing. A plain `swift build` uses a fallback.
version:
	@mkdir -p $(dir $(VERSION_HEADER)); line='#define LOGWATCH_VERSION "$(VERSION)"'; \
	if [ "$$(cat $(VERSION_HEADER) 2>/dev/null)" != "$$line" ]; then \
	  echo "$$line" > $(VERSION_HEADER); touch Sources/CBuildInfo/build_info.c; fi

build: deps version
	$(SWIFT) build $(BUILD_FLAGS)

# The Swift runtime and Foundation linked statically: only the parts `scan` reaches are
# loaded, with no symbol lookups across libraries at start-up. Peak RSS of `logwatch scan`
# 28-30 MB instead of 38-40 MB, with Package.swift's linker settings (issue #7;
# docs/performance.md). Changing these flags rebuilds
# every module, so a bare `swift build -c release` and `make release` rebuild each other's work.
RELEASE_FLAGS ?= --static-swift-stdlib

release: deps version
	$(SWIFT) build -c release $(RELEASE_FLAGS) $(BUILD_FLAGS)

# The main job on a shipped sample: classified incidents with their entries.
demo: build
	@echo "== logwatch scan Samples/litellm-proxy.log =="
	@NO_COLOR=1 $(BIN) scan Samples/litellm-proxy.log
	@echo
	@echo "== logwatch explain --line (the Azure 401 seed) =="
	@$(BIN) explain --line 'litellm.exceptions.AuthenticationError: litellm.AuthenticationError: AzureException AuthenticationError - Access denied due to invalid subscription key or wrong API endpoint. Make sure to provide a valid key for an active subscription and use a correct regional API endpoint for your resource.' | head -40

test: deps version c-check
	$(SWIFT) build $(BUILD_FLAGS)
	$(BIN) rules check > /dev/null || $(BIN) rules check
	@# The three-Alertmanager cluster test runs apart (`make fleet-test`): Alertmanager's HA
	@# dedup rests on gossip within position × peer-timeout, and on a loaded CI machine a replica
	@# sometimes sends before the gossip reaches it (seen twice in fresh-clone runs, never in the
	@# helper's four runs). It is a real test of the fleet setup, not a gate for every change.
	$(SWIFT) test --disable-swift-testing --skip testThreeHostsThreeAlertmanagers $(BUILD_FLAGS)
	$(MAKE) --no-print-directory fuzz-smoke
	@# Every subcommand and source kind against the bad inputs an operator can give (issue 15).
	python3 tools/badinput.py --bin $(BIN)
	@# The short form of the fault injection (the full run is `make torture`).
	python3 tools/torture.py --bin $(BIN) --short
	$(MAKE) --no-print-directory live-check

# The hand-written C (Sources/CLineScan) with warnings as errors, as built (SSE2 on x86-64) and
# with only its byte loops (what an arm64 build compiles), so CI fails on a warning in either.
CC ?= cc
C_CHECK_FLAGS := -std=gnu11 -O2 -Wall -Wextra -Werror -I Sources/CLineScan/include
c-check:
	$(CC) $(C_CHECK_FLAGS) -c Sources/CLineScan/line_scan.c -o /dev/null
	@if [ "$$(uname -m)" = x86_64 ]; then $(CC) $(C_CHECK_FLAGS) -mno-sse2 -c Sources/CLineScan/line_scan.c -o /dev/null; fi

# Fault injection at full size on the release build; results table in out/torture.md
# (docs/reliability.md quotes it).
torture: release
	@mkdir -p out
	python3 tools/torture.py --bin $(RELEASE_BIN) --markdown out/torture.md

# The real-LiteLLM bench (tools/litellm-live/README.md). Each release gets a venv under
# ~/.cache/logwatch/litellm-live/venvs (created once); the proxies run in a loopback-only network
# namespace against a fake provider. `make live`: every release and format, captured afresh into
# out/litellm-live, then the matrix. `make live-check` (part of `make test`): the newest release,
# captured afresh, checked against the manifest and known-wrong.txt, plus the committed fixtures.
LIVE := python3 tools/litellm-live/live.py
LIVE_OUT ?= out/litellm-live
LIVE_FORMATS ?= text,json,debug
LIVE_CHECK_FORMATS ?= text
# What builds $(BIN) first; `make live LIVE_DEPS= BIN=/path/to/logwatch` uses a prebuilt binary.
LIVE_DEPS ?= build
live: $(LIVE_DEPS)
	@rm -rf $(LIVE_OUT)
	@for r in $$($(LIVE) releases); do $(LIVE) capture $$r --formats $(LIVE_FORMATS) --out $(LIVE_OUT) || exit 1; done
	$(LIVE) check --dir $(LIVE_OUT) --bin $(BIN) --rules Rules --report

live-check: $(LIVE_DEPS)
	@rm -rf $(LIVE_OUT)-check
	$(LIVE) capture $$($(LIVE) releases --newest) --formats $(LIVE_CHECK_FORMATS) --out $(LIVE_OUT)-check
	$(LIVE) check --dir $(LIVE_OUT)-check --bin $(BIN) --rules Rules
	$(LIVE) check --bin $(BIN) --rules Rules

# Re-capture the committed fixtures (Tests/Fixtures/litellm-live) for every release and format.
live-fixtures:
	@for r in $$($(LIVE) releases); do $(LIVE) capture $$r --formats $(LIVE_FORMATS) || exit 1; done

# The fleet's cluster test alone: three gossiping Debian Alertmanagers, three daemons, a receiver.
fleet-test: deps
	$(SWIFT) test --disable-swift-testing --filter testThreeHostsThreeAlertmanagers $(BUILD_FLAGS)

check-rules: build
	$(BIN) rules check

# Per-class precision/recall (each entry as its own input) on every labelled corpus in Tests/Fixtures/corpus/ (each scored, then the total); CORPUS=path picks one.
CORPORA = $(or $(CORPUS),$(wildcard Tests/Fixtures/corpus/*.jsonl))
accuracy: build
	python3 tools/accuracy.py --bin $(BIN) $(foreach c,$(CORPORA),--corpus $(c))

# logwatch's normalized error code against LiteLLM's own verdicts recorded by the live harness.
litellm-codes: build
	python3 tools/litellm-codes.py --bin $(BIN) --dir Tests/Fixtures/litellm-live

entries: build
	$(BIN) entries build --out out/entries

# Install layout. DESTDIR stages into a root (packaging, tests); PREFIX is where it will run.
PREFIX ?= /usr/local
SYSCONFDIR ?= /etc
# /etc/systemd/system is for units a local admin installs; packages use $(PREFIX)/lib/systemd/system.
UNITDIR ?= $(SYSCONFDIR)/systemd/system
# The binary to install and what builds it; a test passes its debug binary and INSTALL_DEPS=.
INSTALL_BIN ?= $(RELEASE_BIN)
INSTALL_DEPS ?= release
# swift-argument-parser's generate-manual, built from the package checkout (offline, ~10 s once
# ArgumentParser is built). MANUAL_TOOL=none skips the man page; a path uses that tool as is.
MANUAL_TOOL ?=
SHARE := $(DESTDIR)$(PREFIX)/share

install: $(INSTALL_DEPS)
	install -D -m 0755 $(INSTALL_BIN) $(DESTDIR)$(PREFIX)/bin/logwatch
	@# The catalogue: logwatch finds it at ../share/logwatch/rules beside the binary.
	rm -rf $(SHARE)/logwatch/rules
	cd Rules && find . -name '*.yaml' -exec install -D -m 0644 {} $(SHARE)/logwatch/rules/{} \;
	install -D -m 0644 -t $(SHARE)/doc/logwatch README.md docs/*.md systemd/config.example.yaml
	@# The unit runs $(PREFIX)/bin/logwatch: rewrite its paths when PREFIX is not /usr/local.
	install -d $(DESTDIR)$(UNITDIR)
	sed -e 's|/usr/local/|$(PREFIX)/|g' -e 's|/etc/logwatch|$(SYSCONFDIR)/logwatch|g' systemd/logwatch.service \
	  > $(DESTDIR)$(UNITDIR)/logwatch.service
	chmod 0644 $(DESTDIR)$(UNITDIR)/logwatch.service
	@# Never overwrite an operator's config. Webhook URLs go in credentials/ (root only; the
	@# unit's LoadCredential= hands them to the service).
	install -d -m 0755 $(DESTDIR)$(SYSCONFDIR)/logwatch
	install -d -m 0700 $(DESTDIR)$(SYSCONFDIR)/logwatch/credentials
	@# The installed config runs as it is (journal of litellm.service, stdout), with no environment.
	[ -e $(DESTDIR)$(SYSCONFDIR)/logwatch/config.yaml ] || \
	  install -m 0644 systemd/config.yaml $(DESTDIR)$(SYSCONFDIR)/logwatch/config.yaml
	@# Shell completions, generated by the binary itself (swift-argument-parser).
	install -d $(SHARE)/bash-completion/completions $(SHARE)/zsh/site-functions $(SHARE)/fish/vendor_completions.d
	$(INSTALL_BIN) --generate-completion-script bash > $(SHARE)/bash-completion/completions/logwatch
	$(INSTALL_BIN) --generate-completion-script zsh > $(SHARE)/zsh/site-functions/_logwatch
	$(INSTALL_BIN) --generate-completion-script fish > $(SHARE)/fish/vendor_completions.d/logwatch.fish
	@# The man page (one page, every subcommand), from the binary's own help.
	@tool="$(MANUAL_TOOL)"; \
	if [ -z "$$tool" ]; then $(SWIFT) build --product generate-manual $(BUILD_FLAGS) && tool=.build/debug/generate-manual; fi; \
	if [ "$$tool" = none ]; then echo "Man page skipped (MANUAL_TOOL=none)."; else \
	  install -d $(SHARE)/man/man1 && "$$tool" $(INSTALL_BIN) --output-directory $(SHARE)/man/man1 \
	    --authors "logwatch contributors" && \
	  sed -i 's/^\.Os$$/.Os logwatch $(VERSION)/' $(SHARE)/man/man1/logwatch.1; fi
	@if [ -z "$(DESTDIR)" ]; then echo "Installed. Next: edit $(SYSCONFDIR)/logwatch/config.yaml, then"; \
	  echo "  systemctl daemon-reload && systemctl enable --now logwatch"; fi

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/logwatch $(DESTDIR)$(UNITDIR)/logwatch.service $(SHARE)/man/man1/logwatch.1
	rm -rf $(SHARE)/logwatch $(SHARE)/doc/logwatch
	rm -f $(SHARE)/bash-completion/completions/logwatch $(SHARE)/zsh/site-functions/_logwatch \
	  $(SHARE)/fish/vendor_completions.d/logwatch.fish
	@echo "Kept $(SYSCONFDIR)/logwatch (config and credentials)."

# Throughput against ripgrep/grep/wc/cat on a generated 1 GB log (bench-data/, reused), follow
# latency, peak RSS and rule compile time. BENCH_ARGS e.g. "--size-mb 200 --rounds 1 --skip-follow".
bench: bench-deps release
	python3 tools/bench/bench.py --bin $(RELEASE_BIN) $(BENCH_ARGS)

# libFuzzer targets (framer, JSON log lines, rule loader, config parser, CRI and journal-JSON
# decoders, decompressors), built outside SwiftPM by
# tools/fuzz/build.sh. fuzz-smoke is the short run `make test` ends with; crashes fail it.
FUZZ_SECONDS ?= 600
FUZZ_SMOKE_SECONDS ?= 15
fuzz: deps
	tools/fuzz/run.sh $(FUZZ_SECONDS)

fuzz-smoke: deps
	tools/fuzz/run.sh $(FUZZ_SMOKE_SECONDS)

# --- Packages (issue 16). Heavy (release build, debootstrap, podman): never part of `make test`.
# dpkg-deb builds the package; lintian checks it. Their tools are installed here, not by `deps`.
DEB_TOOLS := dpkg-dev fakeroot lintian
# The Debian revision: 1 for each upstream version (a change to the packaging alone bumps it).
DEB_REVISION ?= 1
DEB := out/logwatch_$(VERSION)-$(DEB_REVISION)_$(ARCH).deb

deb-deps: deps
	$(call apt-install,$(DEB_TOOLS))

# out/logwatch_<version>_<arch>.deb from the release binary (stripped), and lintian's verdict.
deb: deb-deps release
	tools/package/build-deb.sh --version $(VERSION)-$(DEB_REVISION) --arch $(ARCH) --bin $(RELEASE_BIN) --out $(DEB)

# Installs the package on this machine with apt, uses it, purges it (needs root or sudo).
deb-test: deb
	tools/package/deb-test.sh $(DEB)

# podman with runc (crun refuses this machine's mixed cgroup layout), debootstrap for the base.
IMAGE_PKGS := podman buildah runc debootstrap uidmap
IMAGE ?= localhost/logwatch:$(VERSION)
# runc and the rlimits this machine allows, for every podman call the targets make.
export CONTAINERS_CONF := $(CURDIR)/tools/package/containers.conf

image-deps: deb-deps
	$(call apt-install,$(IMAGE_PKGS))

# An OCI image in the local store (no registry): Debian minbase + the .deb, non-root.
image: image-deps deb
	tools/package/build-image.sh --deb $(DEB) --tag $(IMAGE)

# Runs the image over a bind-mounted sample against a loopback webhook receiver.
image-test: image
	tools/package/image-test.sh --image $(IMAGE)

clean:
	rm -rf .build out

# IOMKit — the two commands of the quick start, and a few more.
#   make demo    installs what is missing, builds, runs the demo
#   make test    installs what is missing, runs every test
#   make bench   runs the benchmarks (release build)
SHELL := /bin/bash
SWIFT ?= swift
# Use the trimmed libzmq.pc written by Scripts/install-deps.sh (no Kerberos -isystem flags).
export PKG_CONFIG_PATH := $(CURDIR)/.build/pkgconfig$(if $(PKG_CONFIG_PATH),:$(PKG_CONFIG_PATH))

.PHONY: all deps build demo test bench clean

all: build

deps:
	@Scripts/install-deps.sh

build: deps
	$(SWIFT) build

demo: deps
	$(SWIFT) build --product iom
	$(SWIFT) run --skip-build iom demo

test: deps
	@Scripts/install-deps.sh protoc python
	python3 Scripts/generate-iso3166.py --check
	# The public surface: at most 120 public types, every public declaration documented.
	python3 Scripts/public-api.py --check
	$(SWIFT) build --build-tests
	Scripts/generate-protos.sh --check
	Scripts/generate-vectors.sh --check
	# Library tests, then the command-line tests (which wait on child processes) on their own,
	# so those waits never starve the timing-sensitive library tests of threads.
	$(SWIFT) test --skip-build --skip MillionEventsTests --skip iomCommandTests
	$(SWIFT) test --skip-build --filter iomCommandTests
	# The optimiser changes what a data race or an exclusivity slip does: a release-only hang once
	# lost queued saves. So the command-line tests run again against a release `iom`, and the
	# Python interop tests (10,000 pipelined saves among them) run against that release node.
	$(SWIFT) build -c release --product iom
	IOM_BINARY=$(CURDIR)/.build/release/iom $(SWIFT) test --skip-build --filter iomCommandTests
	IOM_BINARY=$(CURDIR)/.build/release/iom Scripts/test-python.sh
	# The 1,000,000-event bridge run on its own, so it does not slow the timed tests above.
	$(SWIFT) test --skip-build --filter MillionEventsTests

bench: deps
	$(SWIFT) package --allow-writing-to-package-directory benchmark

clean:
	rm -rf .build

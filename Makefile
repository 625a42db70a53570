# IOMKit — the two commands of the quick start, and a few more.
#   make demo    installs what is missing, builds, runs the demo
#   make test    installs what is missing, runs every test
#   make bench   runs the benchmarks (release build)
#   make docs    builds the DocC documentation of IOMKit into .build/docs (fails on any warning)
#   make examples  builds Examples/MissionTracker and Examples/CaseReplica and runs them
SHELL := /bin/bash
SWIFT ?= swift
# Use the trimmed libzmq.pc written by Scripts/install-deps.sh (no Kerberos -isystem flags).
export PKG_CONFIG_PATH := $(CURDIR)/.build/pkgconfig$(if $(PKG_CONFIG_PATH),:$(PKG_CONFIG_PATH))

.PHONY: all deps build demo test bench docs examples doc-code clean

# The example packages and the documentation's listings share one scratch path, so the
# dependencies they have in common (IOMKit and its packages) are built once, not once each.
EXAMPLES_SCRATCH := $(CURDIR)/.build-examples
DOCS_OUTPUT := .build/docs/IOMKit.doccarchive

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
	$(SWIFT) test --skip-build --skip MillionEventsTests --skip HubScaleTests --skip iomCommandTests
	$(SWIFT) test --skip-build --filter iomCommandTests
	# The optimiser changes what a data race or an exclusivity slip does: a release-only hang once
	# lost queued saves. So the command-line tests run again against a release `iom`, and the
	# Python interop tests (10,000 pipelined saves among them) run against that release node.
	$(SWIFT) build -c release --product iom
	IOM_BINARY=$(CURDIR)/.build/release/iom $(SWIFT) test --skip-build --filter iomCommandTests
	IOM_BINARY=$(CURDIR)/.build/release/iom Scripts/test-python.sh
	# The 1,000,000-event bridge run and the hub's 10 upstreams × 20,000 changes on their own,
	# so they do not slow the timed tests above.
	$(SWIFT) test --skip-build --filter 'MillionEventsTests|HubScaleTests'
	# The documentation builds without a warning; every Swift listing in it and in the
	# READMEs compiles; the examples build, and MissionTracker runs.
	$(MAKE) --no-print-directory docs doc-code examples

# DocC for the IOMKit module (the facade a service imports), its articles and its tutorial.
# docc's own --warnings-as-errors fails the plugin on a warning; the grep also catches
# warnings printed outside docc (symbol graph extraction, the plugin).
docs: deps
	@mkdir -p .build/docs
	set -o pipefail; $(SWIFT) package --allow-writing-to-directory .build/docs \
	    generate-documentation --target IOMKit --output-path $(DOCS_OUTPUT) --warnings-as-errors \
	    2>&1 | tee .build/docs/generate.log
	@if grep -E "(warning|error):" .build/docs/generate.log; then \
	    echo "error: make docs: the documentation has warnings (above)"; exit 1; fi
	@echo "documentation: $(DOCS_OUTPUT)"

# Every ```swift listing of README.md, Examples/*/README.md and the DocC articles, and every
# Swift file of the DocC tutorial, compiled in a generated package (Scripts/check-doc-code.py).
# Target by target: a plain `swift build` of this generated package builds none of them.
doc-code: deps
	python3 Scripts/check-doc-code.py --out .build-doc-code
	for target in $$(ls .build-doc-code/Sources); do \
	    $(SWIFT) build --package-path .build-doc-code --scratch-path $(EXAMPLES_SCRATCH) --target $$target || exit 1; done

# The example packages depend on IOMKit by path, as a service would.
examples: deps
	$(SWIFT) build --package-path Examples/MissionTracker --scratch-path $(EXAMPLES_SCRATCH)
	$(SWIFT) build --package-path Examples/CaseReplica --scratch-path $(EXAMPLES_SCRATCH)
	$(SWIFT) build --product iom
	Scripts/run-examples.sh $(EXAMPLES_SCRATCH)/debug .build/debug/iom

bench: deps
	$(SWIFT) package --allow-writing-to-package-directory benchmark

clean:
	rm -rf .build $(EXAMPLES_SCRATCH) .build-doc-code

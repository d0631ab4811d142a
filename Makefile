# SPDX-License-Identifier: Apache-2.0
# Targets are documented for `make help`.

GO ?= go
BIN ?= ferret
PKG := github.com/ferret-observability/ferret
VERSION := $(shell sed -n 's/^\tVersion *= "\(.*\)"$$/\1/p' internal/app/version.go)
COMMIT ?= $(shell git rev-parse HEAD 2>/dev/null)$(shell git diff --quiet HEAD 2>/dev/null || echo +dirty)
# SOURCE_DATE_EPOCH (reproducible builds) fixes the build date
BUILD_DATE ?= $(shell date -u $${SOURCE_DATE_EPOCH:+-d @$$SOURCE_DATE_EPOCH} +%Y-%m-%dT%H:%M:%SZ)
LDFLAGS := -X $(PKG)/internal/app.Commit=$(COMMIT) -X $(PKG)/internal/app.BuildDate=$(BUILD_DATE)

.PHONY: help build man deb generate check-generate test test-kernel test-all lint fmt bench fuzz trace-compare oracle oracle-fields

help: ## list targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/'

build: ## build the ferret binary (no C toolchain needed), commit and date in --version
	$(GO) build -trimpath -ldflags "$(LDFLAGS)" -o $(BIN) ./cmd/ferret

man: ## man pages and bash/zsh/fish completions from the --help pages, in build/
	$(GO) run ./tools/genman -o build

ARCH ?= $(shell $(GO) env GOARCH)

deb: ## Debian package build/ferret_VERSION_ARCH.deb (ARCH=amd64 or arm64; needs dpkg-deb)
	GO=$(GO) ARCH=$(ARCH) LDFLAGS="$(LDFLAGS)" ./tools/mkdeb

generate: ## regenerate the event table, C id header and BPF objects (needs clang, llvm-strip)
	$(GO) generate ./...

check-generate: ## fail when committed generated files are stale
	./tools/check-generate

test: ## unit and golden tests (kernel tests skip without root)
	$(GO) test ./...

test-kernel: ## all tests, kernel and privilege gates forced on
	CI=true $(GO) test ./...

test-all: ## install test dependencies and run the whole suite as CI does
	./tools/test-all

lint: ## vet and layering rules
	$(GO) vet ./...
	$(GO) test ./internal/ -run TestLayering

fmt: ## gofmt Go sources and clang-format BPF sources
	gofmt -w $$(git ls-files '*.go')
	-clang-format -i bpf/*.c bpf/*/*.c 2>/dev/null

bench: ## run the benchmark suite (installs peers; appends to bench/RESULTS.md)
	./bench/run

ORACLE_SEEDS ?= 10000
ORACLE_EXTRA ?= ../shared/reference/traces-extra

oracle: ## compare ferret with sysdig on ORACLE_SEEDS generated captures and the captures in ORACLE_EXTRA
	$(GO) test ./internal/oracle/ -run 'TestOracle$$' -count=1 -timeout 0 -v -oracle.seeds $(ORACLE_SEEDS) -oracle.batch 24 \
		-oracle.report $(CURDIR)/oracle-report.txt -oracle.keep $(CURDIR)/internal/oracle/testdata/repro
	if [ -d "$(ORACLE_EXTRA)" ]; then $(GO) test ./internal/oracle/ -run 'TestOracleRealCaptures' -count=1 -timeout 0 -v \
		-oracle.extra "$(abspath $(ORACLE_EXTRA))" -oracle.batch 24 -oracle.report $(CURDIR)/oracle-report-real.txt; fi

ORACLE_FIELD_EVENTS ?= 200

oracle-fields: ## compare every field of ferret -l with sysdig, value by value, on the first ORACLE_FIELD_EVENTS events of every reference trace
	$(GO) test ./internal/oracle/ -run 'TestFieldValuesLikeSysdig' -count=1 -timeout 0 -v -oracle.fieldsweep \
		-oracle.fieldevents $(ORACLE_FIELD_EVENTS)

fuzz: ## run each fuzz target for a short while
	./tools/fuzz-all 20s

trace-compare: ## compare ferret trace with strace on the command corpus; traces and diffs in /tmp/ferret-corpus
	rm -rf /tmp/ferret-corpus
	FERRET_CORPUS_OUT=/tmp/ferret-corpus $(GO) test -count=1 -v -run TestLiveCorpusMatchesStrace ./internal/trace/ | grep -E 'identical|corpus|FAIL|ok'

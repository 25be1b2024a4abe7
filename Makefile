# finscore: see README.md. Every target works on a fresh machine with Go;
# the shared folder (pretrained model, data) sits at ../shared.

SHARED   ?= ../shared
MODEL    ?= $(SHARED)/models/use-lite
GO       ?= go
GOROOT   := $(shell $(GO) env GOROOT)
WASM_EXEC := $(GOROOT)/lib/wasm/go_js_wasm_exec
INPUT    ?= tools/finscore/testdata/sample.jsonl

.PHONY: all build weights model site serve score embed test test-native test-wasm test-browser chromium fuzz bench bench-browser clean

all: build weights

GO_SOURCES := go.mod go.sum $(shell find core tools/finscore -name '*.go' -not -name '*_test.go')

## build: the finscore command, in bin/
build: bin/finscore
bin/finscore: $(GO_SOURCES)
	$(GO) build -o $@ ./tools/finscore

## weights: convert the pretrained encoder into weights/use-lite.fsb (float16).
## The bundle is committed (training starts from it); this rebuilds it, byte
## for byte, from ../shared when the model files change.
weights: weights/use-lite.fsb
weights/use-lite.fsb: $(MODEL)/model.json $(MODEL)/vocab.json | bin/finscore
	bin/finscore convert --tfjs $(MODEL) --out $@

## model: fine-tune the shipped scoring model weights/finscore.fsb from the
## repository alone (weights/use-lite.fsb, weights/training-data,
## weights/risk-taxonomy.json). Resumes from build/train.ckpt if a run was
## interrupted; delete it to start over.
model: bin/finscore
	mkdir -p build
	bin/finscore train --checkpoint build/train.ckpt --out weights/finscore.fsb
	rm -f build/train.ckpt

## site: the static site in $(DIST) (default dist/): the page and its
## scripts from web/, the engine compiled to WebAssembly, Go's wasm_exec.js,
## the SIMD kernels, the shipped model and its card. Nothing else is needed
## to host it.
DIST      ?= dist
WEB_FILES := $(filter-out %_test.mjs,$(wildcard web/*.html web/*.js web/*.mjs web/*.css))
site: kernels
	rm -rf $(DIST)
	mkdir -p $(DIST)
	GOOS=js GOARCH=wasm $(GO) build -trimpath -ldflags='-s -w' -o $(DIST)/finscore.wasm ./wasm
	cp $(WEB_FILES) $(GOROOT)/lib/wasm/wasm_exec.js $(KERNELS) weights/finscore.fsb weights/MODEL_CARD.md $(DIST)/

## serve: build the site and serve it on http://127.0.0.1:8080/ (ADDR=host:port to change)
ADDR ?= 127.0.0.1:8080
serve: build site
	bin/finscore serve --addr $(ADDR) --dir $(DIST)

## score: score the JSON Lines documents in $(DOCS) with the shipped model
DOCS ?= tools/finscore/testdata/documents.jsonl
score: bin/finscore
	bin/finscore score --weights weights/finscore.fsb < $(DOCS)

## embed: embed the JSON Lines in $(INPUT) (default: a few sample sentences)
embed: weights
	bin/finscore embed --weights weights/use-lite.fsb < $(INPUT)

## test: every test: native, compiled to WebAssembly under Node, and the
## page end to end in headless Chromium
test: test-native test-wasm test-browser

test-native:
	$(GO) vet ./...
	GOOS=js GOARCH=wasm $(GO) vet ./core/...
	$(GO) test -count=1 ./...

## kernels: assemble the WebAssembly SIMD kernels, core/tensor/kernels.wat -> .wasm
# (wabt's wat2wasm from npm, pinned in tools/wasmkernels/package-lock.json)
KERNELS := core/tensor/kernels.wasm
kernels: $(KERNELS)
$(KERNELS): core/tensor/kernels.wat tools/wasmkernels/build.mjs tools/wasmkernels/node_modules/.package-lock.json
	node tools/wasmkernels/build.mjs
tools/wasmkernels/node_modules/.package-lock.json: tools/wasmkernels/package.json tools/wasmkernels/package-lock.json
	@command -v npm >/dev/null || { echo "make kernels needs npm (Node.js) on PATH"; exit 1; }
	cd tools/wasmkernels && npm ci --no-audit --no-fund

# The core packages also run as GOOS=js GOARCH=wasm test binaries under
# Node, with the SIMD kernels attached (tools/wasmexec, a drop-in for Go's
# go_js_wasm_exec): core/tensor checks them against pure Go, and fails if
# they are not active. FINSCORE_KERNELS=off tests the pure-Go fallback.
WASM_KERNELS_EXEC := $(CURDIR)/tools/wasmexec/go_js_wasm_exec
test-wasm: kernels
	@command -v node >/dev/null || { echo "test-wasm needs Node.js (node) on PATH"; exit 1; }
	GOOS=js GOARCH=wasm $(GO) test -count=1 -exec=$(WASM_KERNELS_EXEC) ./core/...

## test-browser: build the site, then drive it in headless Chromium
## (web/*_test.go: labels against finscore score, no request off the
## origin, offline use, markup shown as text, a 200 KB paste, batch files)
test-browser: site chromium
	FINSCORE_SITE=$(CURDIR)/$(DIST) $(GO) test -count=1 ./web

## chromium: install Debian's chromium for the browser tests when missing
chromium:
	@command -v chromium >/dev/null || command -v chromium-browser >/dev/null || command -v google-chrome >/dev/null || { \
	  echo "installing Debian's chromium for the browser tests"; \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -q && apt-get install -y -q chromium; \
	  else sudo apt-get update -q && sudo apt-get install -y -q chromium; fi; }

## fuzz: run each fuzz target for FUZZTIME (default 1m); the JavaScript
## boundary's (wasm/testdata/fuzz_boundary.mjs, random argument shapes
## through the engine under Node) prints its seed: FUZZ_SEED=n replays it
FUZZTIME ?= 1m
fuzz:
	$(GO) test ./core/bundle -run='^$$' -fuzz=FuzzRead -fuzztime=$(FUZZTIME)
	$(GO) test ./core/tokenize -run='^$$' -fuzz=FuzzEncode -fuzztime=$(FUZZTIME)
	$(GO) test ./core/tokenize -run='^$$' -fuzz=FuzzPiece -fuzztime=$(FUZZTIME)
	$(GO) test ./core/scorer -run='^$$' -fuzz=FuzzLoad -fuzztime=$(FUZZTIME)
	$(GO) test ./core/scorer -run='^$$' -fuzz=FuzzSplitSentences -fuzztime=$(FUZZTIME)
	$(GO) test ./core/scorer -run='^$$' -fuzz=FuzzAssemble -fuzztime=$(FUZZTIME)
	$(GO) test ./core/scorer -run='^$$' -fuzz=FuzzWindowsOf -fuzztime=$(FUZZTIME)
	$(GO) test ./wasm/parts -run='^$$' -fuzz=FuzzDecode -fuzztime=$(FUZZTIME)
	FINSCORE_FUZZTIME=$(FUZZTIME) $(GO) test ./wasm -count=1 -run='^TestBoundaryFuzz$$' -v
	FINSCORE_FUZZTIME=$(FUZZTIME) node --test web/csv_fuzz_test.mjs

## bench-browser: the page in headless Chromium: first load, the 20-sentence
## document pasted the moment the page is ready (first-doc-ms), the same
## document and scoreMany on one worker against two
bench-browser: site chromium
	FINSCORE_SITE=$(CURDIR)/$(DIST) $(GO) test -run='^$$' -bench=. -benchtime=5x ./web

## bench: Go engine (native and wasm in Node) side by side with TensorFlow.js-wasm
bench: weights
	bash tools/bench/run.sh $(BENCH_FLAGS)

clean:
	rm -rf bin dist build

# ttsbench — the two commands a new user needs: `make demo` and `make test`.
SWIFT ?= swift
BIN := .build/release/ttsbench
DB ?= results/ttsbench.sqlite

.PHONY: build demo test bench reliability clean

build:
	$(SWIFT) build -c release --product ttsbench

# Runs the embedded default (resuming: a finished suite generates nothing) and publishes it.
demo: build
	$(BIN) publish suites/demo.yaml --db $(DB) --out results
	@echo
	@echo "Leaderboard: results/demo/leaderboard.md (also .csv, .json, index.html, provenance.json); database: $(DB)"

# The real-model demo: the tiny addition model served by llama.cpp (installed by .ci/install-llama.sh).
demo-real: build
	tools/fault-server/serve_tiny.sh $(BIN) run suites/tiny-real.yaml --db $(DB) --out results
	@echo
	@echo "Leaderboard: results/tiny-real/leaderboard.md; database: $(DB)"

# The layering check (targets one-way, SQL and GRDB only in TTSStore), then the tests.
test:
	python3 tools/check_layers.py
	$(SWIFT) build --product ttsbench
	$(SWIFT) test

# Benchmarks print ratios measured in the same run (never asserted in unit tests).
bench:
	$(SWIFT) build -c release --product ttsbench-bench
	$(SWIFT) build -c release --product adastop-bench
	$(SWIFT) build -c release --product stats-bench
	$(SWIFT) build -c release --product storage-bench
	.build/release/adastop-bench
	# Error, power and seeds of the AdaStop rules (docs/statistics.md): SPEC.md's pairwise, joint, ttsbench's default.
	.build/release/stats-bench --runs 4000 --rule pairwise --rule joint --rule ttsbench \
	  --scenario null2 --scenario null3 --scenario binom2 --scenario binom3 --scenario partial --scenario power --scenario equal2 --scenario margin
	.build/release/stats-bench --runs 4000 --permutations 2000 --rule pairwise --rule ttsbench --scenario null5 --scenario binom5
	.build/release/stats-bench --runs 2000 --permutations 2000 --rule pairwise --rule joint --rule ttsbench --scenario null10 --scenario partial10
	# The same on the simulated LLM backend (seed scores from real sampling and verification).
	.build/release/ttsbench-bench --repetitions 2000
	.build/release/storage-bench --samples 400   # bytes per sample with 5k-30k-token reasoning traces: zstd texts vs plain
	.build/release/ttsbench-bench --repetitions 2000 --scheme pairwise
	bash bench/endpoint/run.sh   # request rate vs AsyncHTTPClient alone and aiohttp against a canned nginx endpoint; RSS over 100,000 requests
	bash bench/fleet/run.sh      # fleet table: `ttsbench run` (default options) vs C/L on 50/250 ms endpoints, C = 256/512/2048; CPU s per 10,000 requests

# The longer reliability checks (the CI subset runs in `make test`): SIGKILL crash-resume, 10,000+
# requests against a faulty endpoint, the suite-loader and importer fuzzers (libFuzzer + ASan, FUZZ_SECONDS each), the
# reliability tests; then a table of what was tried and what survived (docs/reliability.md).
FUZZ_SECONDS ?= 60
RELIABILITY_OUT := .build/reliability
reliability: build
	@rm -rf $(RELIABILITY_OUT) && mkdir -p $(RELIABILITY_OUT)
	-python3 tools/reliability/crash_resume.py --binary $(BIN) --suite suites/demo.yaml --kills 8 --json $(RELIABILITY_OUT)/crash.json
	-python3 tools/reliability/fault_endpoint.py --binary $(BIN) --items 250 --n 10 --seeds 4 --json $(RELIABILITY_OUT)/faults.json
	-tools/fuzz/run.sh $(FUZZ_SECONDS) $(CURDIR)/$(RELIABILITY_OUT)/fuzz.json
	-tools/fuzz/run.sh $(FUZZ_SECONDS) $(CURDIR)/$(RELIABILITY_OUT)/fuzz-import.json ImporterFuzz
	-python3 tools/reliability/ci_subset.py $(RELIABILITY_OUT)/tests.json
	python3 tools/reliability/summary.py $(RELIABILITY_OUT)

clean:
	rm -rf .build results/ttsbench.sqlite results/ttsbench.sqlite-wal results/ttsbench.sqlite-shm

# guard: `make` builds ./guard, `make test` builds and runs every test,
# `make deps` installs missing Debian packages (as root).

ARCH := $(shell uname -m)
BUILD := build

CXX ?= g++
CLANG ?= clang
CXXFLAGS ?= -O2 -g
GUARD := guard
# A sanitizer build (make SAN=1 test) lives apart, binary included.
ifeq ($(SAN),1)
  # -O1 and line tables (-g1), as the sanitizers advise: reports keep file
  # and line, and the build takes half the time of -O2 -g.
  CXXFLAGS := $(filter-out -O2 -g,$(CXXFLAGS)) -O1 -g1
  CXXFLAGS += -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
  LDFLAGS += -fsanitize=address,undefined
  BUILD := build-san
  GUARD := build-san/guard
endif
GUARD_CXXFLAGS := -std=c++20 -Wall -Wextra -Werror -I. -MMD -MP $(CXXFLAGS)
BPF_CFLAGS := -target bpf -mcpu=v3 -O2 -g -Wall -Werror -I/usr/include/$(ARCH)-linux-gnu -MMD -MP
LDLIBS := -lelf -lz -lsimdjson

# Debian packages the build and the tests need.
DEB_PACKAGES := make g++ clang llvm libelf-dev zlib1g-dev linux-libc-dev \
                libsimdjson-dev libcli11-dev doctest-dev

LIB_SRCS := $(wildcard loader/*.cpp engine/*.cpp rules/*.cpp)
LIB_OBJS := $(LIB_SRCS:%.cpp=$(BUILD)/%.o) $(BUILD)/rules/embedded_rules.o
CLI_OBJS := $(patsubst %.cpp,$(BUILD)/%.o,$(wildcard cli/*.cpp)) $(BUILD)/cli/embedded_object.o
BPF_OBJ := $(BUILD)/kern/guard.bpf.o
# BPF objects the loader's tests read and load: written in the libbpf style
# with our own headers (kern/bpf_defs.h), compiled like kern/.
FIXTURE_OBJS := $(patsubst test/fixtures/%.bpf.c,$(BUILD)/test/fixtures/%.bpf.o,$(wildcard test/fixtures/*.bpf.c))
UNIT_OBJS := $(patsubst %.cpp,$(BUILD)/%.o,$(wildcard test/unit/*.cpp)) $(BUILD)/test/doctest_main.o
# The benchmark harness's counting of guard's output is unit-tested.
UNIT_OBJS += $(BUILD)/tools/bench/harness/event_lines.o
E2E_OBJS := $(patsubst %.cpp,$(BUILD)/%.o,$(wildcard test/e2e/*.cpp)) $(BUILD)/test/doctest_main.o \
            $(BUILD)/test/support/e2e_support.o
# Small C programs the end-to-end tests run to cause each syscall guard reports.
HELPERS := $(patsubst test/helpers/%.c,$(BUILD)/test/helpers/%,$(wildcard test/helpers/*.c))
HELPER_CFLAGS := -std=gnu11 -O2 -g -Wall -Wextra -Werror -pthread

.PHONY: all deps run test unit-test clean bench bench-tools engine-bench rules-bench fuzz fuzz-deps fuzz-targets
all: $(GUARD)

$(GUARD): $(CLI_OBJS) $(BUILD)/libguard.a
	$(CXX) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/libguard.a: $(LIB_OBJS)
	@mkdir -p $(@D)
	ar rcs $@ $^

$(BUILD)/%.o: %.cpp
	@mkdir -p $(@D)
	$(CXX) $(GUARD_CXXFLAGS) -c $< -o $@

# The engine is the per-event hot core: -O3 there is worth ~6% more records
# per second (make engine-bench); everything else stays at CXXFLAGS' level.
$(BUILD)/engine/%.o: GUARD_CXXFLAGS += -O3

$(BUILD)/kern/%.bpf.o: kern/%.bpf.c
	@mkdir -p $(@D)
	$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(BUILD)/test/fixtures/%.bpf.o: test/fixtures/%.bpf.c
	@mkdir -p $(@D)
	$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(BUILD)/cli/embedded_object.o: cli/embedded_object.S $(BPF_OBJ)
	@mkdir -p $(@D)
	$(CXX) -c -DGUARD_BPF_OBJECT_PATH='"$(BPF_OBJ)"' $< -o $@

$(BUILD)/test/helpers/%: test/helpers/%.c
	@mkdir -p $(@D)
	$(CC) $(HELPER_CFLAGS) $< -o $@

$(BUILD)/rules/embedded_rules.o: rules/embedded_rules.S rules/default_rules.json
	@mkdir -p $(@D)
	$(CXX) -c -DGUARD_DEFAULT_RULES_PATH='"rules/default_rules.json"' $< -o $@

# Tests find the artifacts they check through these absolute paths.
$(BUILD)/test/%.o: GUARD_CXXFLAGS += -DGUARD_SOURCE_DIR='"$(CURDIR)"' \
	-DGUARD_BPF_OBJECT='"$(CURDIR)/$(BPF_OBJ)"' -DGUARD_BINARY='"$(CURDIR)/$(GUARD)"' \
	-DGUARD_HELPERS_DIR='"$(CURDIR)/$(BUILD)/test/helpers"' \
	-DGUARD_FIXTURE_DIR='"$(CURDIR)/$(BUILD)/test/fixtures"'

$(BUILD)/test/unit_tests: $(UNIT_OBJS) $(BUILD)/libguard.a
	$(CXX) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/test/e2e_tests: $(E2E_OBJS) $(BUILD)/libguard.a
	$(CXX) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# Engine benchmark (not a test): records/s through decode, match and format.
ENGINE_BENCH := $(BUILD)/tools/bench/engine_bench
$(ENGINE_BENCH): $(BUILD)/tools/bench/engine_bench.o $(BUILD)/libguard.a
	$(CXX) $(LDFLAGS) -o $@ $^ $(LDLIBS)

engine-bench: $(ENGINE_BENCH)
	$(ENGINE_BENCH) --mix typical
	$(ENGINE_BENCH) --mix alerts

# Rules compile benchmark (not a test): seconds to compile N generated rules, N doubling up to 100,000.
RULES_BENCH := $(BUILD)/tools/bench/rules_bench
$(RULES_BENCH): $(BUILD)/tools/bench/rules_bench.o $(BUILD)/libguard.a
	$(CXX) $(LDFLAGS) -o $@ $^ $(LDLIBS)

rules-bench: $(RULES_BENCH)
	$(RULES_BENCH) --max 100000

# The benchmark floor is tested end to end (test/e2e/floor_test.cpp), so it is built with the tests.
$(BUILD)/test/e2e/floor_test.o: GUARD_CXXFLAGS += -DGUARD_FLOOR='"$(CURDIR)/$(BUILD)/tools/guard-floor"'
$(BUILD)/test/e2e_tests: | $(BUILD)/tools/guard-floor

# As root, install what is missing; otherwise say what to install.
deps:
	@missing=""; for p in $(DEB_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'ok installed' || missing="$$missing $$p"; \
	done; \
	if [ -z "$$missing" ]; then exit 0; fi; \
	if [ "$$(id -u)" != 0 ]; then \
	  echo "guard: missing Debian packages:$$missing"; \
	  echo "guard: install them with: sudo apt-get install$$missing"; exit 1; \
	fi; \
	echo "guard: installing$$missing"; \
	apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing

run: deps
	$(MAKE) $(GUARD)
	./$(GUARD)

test: deps
	$(MAKE) $(GUARD) $(BPF_OBJ) $(FIXTURE_OBJS) $(BUILD)/test/unit_tests $(BUILD)/test/e2e_tests $(HELPERS)
	BUILD=$(BUILD) test/run_tests.sh

clean:
	rm -rf build build-san build-fuzz guard

# Benchmarks: never part of `make test`. `sudo make bench` measures guard
# against no agent and the floor (guard's tracepoints, empty programs) and
# writes the results into docs/benchmarks.md; `sudo make bench BENCH_QUICK=1`
# is a short run for iterating (results in $(BUILD)/bench/results.md only).
# BENCH_ARGS passes more options to guard-bench (see its --help).
BENCH_FLOOR := $(BUILD)/tools/guard-floor
BENCH_WORKLOAD := $(BUILD)/tools/guard-workload
BENCH_HARNESS := $(BUILD)/tools/guard-bench
BENCH_OBJS := $(patsubst %.cpp,$(BUILD)/%.o,$(wildcard tools/bench/harness/*.cpp))
BENCH_ARGS ?=
# Another engine benchmark than guard-bench's own (guard record, then guard
# replay --stats): the engine's tools/bench/engine_bench, printing "<N> records/s".
BENCH_ENGINE ?= $(ENGINE_BENCH) --mix typical

$(BENCH_WORKLOAD): tools/bench/workload.c
	@mkdir -p $(@D)
	$(CC) -std=gnu11 -O2 -Wall -Wextra -Werror $< -o $@

$(BENCH_FLOOR): $(BUILD)/tools/bench/floor.o $(BUILD)/cli/families.o $(BUILD)/cli/attachments.o $(BUILD)/libguard.a
	$(CXX) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BENCH_HARNESS): $(BENCH_OBJS) $(BUILD)/libguard.a
	$(CXX) $(LDFLAGS) -o $@ $^ $(LDLIBS)

bench-tools: $(GUARD) $(BPF_OBJ) $(BENCH_FLOOR) $(BENCH_WORKLOAD) $(BENCH_HARNESS) $(ENGINE_BENCH)

bench: deps
	$(MAKE) bench-tools
	$(BENCH_HARNESS) --guard ./$(GUARD) --floor $(BENCH_FLOOR) --workload $(BENCH_WORKLOAD) --object $(BPF_OBJ) \
	  --scratch $(BUILD)/bench $(if $(BENCH_QUICK),--quick,--docs docs/benchmarks.md) \
	  --command "sudo make bench$(if $(BENCH_QUICK), BENCH_QUICK=1)$(if $(BENCH_ARGS), BENCH_ARGS='$(BENCH_ARGS)')" \
	  $(if $(BENCH_ENGINE),--engine-command "$(BENCH_ENGINE)") \
	  $(BENCH_ARGS)

# Coverage-guided fuzzing (clang's libFuzzer, with ASan and UBSan), not part
# of `make test`: `make fuzz FUZZ_SECONDS=N` builds test/fuzz/*_fuzz.cpp and
# the library with clang into build-fuzz/ and runs each target N seconds on
# its seed corpus (test/fuzz/corpus/TARGET) and what earlier runs found
# (build-fuzz/corpus/TARGET); a crash is kept as build-fuzz/findings/TARGET-*
# and fails the run. test/fuzz/run.sh prints executions and findings per target.
FUZZ_BUILD := build-fuzz
FUZZ_SECONDS ?= 60
FUZZ_CXX ?= clang++
FUZZ_DEB_PACKAGES := clang libclang-rt-14-dev
FUZZ_SAN := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
FUZZ_CXXFLAGS := -std=c++20 -Wall -Wextra -Werror -I. -MMD -MP -O1 -gline-tables-only $(FUZZ_SAN) -fsanitize=fuzzer-no-link
FUZZ_TARGETS := $(patsubst test/fuzz/%_fuzz.cpp,%,$(wildcard test/fuzz/*_fuzz.cpp))
FUZZ_LIB_OBJS := $(LIB_SRCS:%.cpp=$(FUZZ_BUILD)/%.o) $(FUZZ_BUILD)/rules/embedded_rules.o
FUZZ_BINS := $(FUZZ_TARGETS:%=$(FUZZ_BUILD)/fuzz/%)

$(FUZZ_BUILD)/%.o: %.cpp
	@mkdir -p $(@D)
	$(FUZZ_CXX) $(FUZZ_CXXFLAGS) -c $< -o $@

$(FUZZ_BUILD)/rules/embedded_rules.o: rules/embedded_rules.S rules/default_rules.json
	@mkdir -p $(@D)
	$(FUZZ_CXX) -c -DGUARD_DEFAULT_RULES_PATH='"rules/default_rules.json"' $< -o $@

$(FUZZ_BUILD)/libguard.a: $(FUZZ_LIB_OBJS)
	ar rcs $@ $^

$(FUZZ_BUILD)/fuzz/%: $(FUZZ_BUILD)/test/fuzz/%_fuzz.o $(FUZZ_BUILD)/libguard.a
	@mkdir -p $(@D)
	$(FUZZ_CXX) $(FUZZ_SAN) -fsanitize=fuzzer -o $@ $^ $(LDLIBS)

fuzz-deps:
	@$(MAKE) --no-print-directory deps DEB_PACKAGES="$(FUZZ_DEB_PACKAGES)"

fuzz-targets: $(FUZZ_BINS)
# Kept, so a second `make fuzz` builds nothing.
.SECONDARY: $(FUZZ_TARGETS:%=$(FUZZ_BUILD)/test/fuzz/%_fuzz.o)

fuzz: fuzz-deps
	$(MAKE) fuzz-targets
	test/fuzz/run.sh $(FUZZ_BUILD) $(FUZZ_SECONDS) $(FUZZ_TARGETS)

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
-include $(shell find $(FUZZ_BUILD) -name '*.d' 2>/dev/null)

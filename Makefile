# SPDX-License-Identifier: GPL-2.0-or-later
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
# One static binary (make static; make install STATIC=1) lives apart too:
# everything linked in, stripped. The code that runs once (loader, rules,
# command line) is built for size; the engine keeps its -O3 (below).
ifeq ($(STATIC),1)
  ifeq ($(SAN),1)
    $(error SAN=1 and STATIC=1: the sanitizers' runtimes need the dynamic loader)
  endif
  CXXFLAGS := -Os -ffunction-sections -fdata-sections
  LDFLAGS += -static -s -Wl,--gc-sections
  BUILD := build-static
  GUARD := build-static/guard
endif
GUARD_CXXFLAGS := -std=c++20 -Wall -Wextra -Werror -I. -MMD -MP $(CXXFLAGS)
BPF_CFLAGS := -target bpf -mcpu=v3 -O2 -g -Wall -Werror -I/usr/include/$(ARCH)-linux-gnu -MMD -MP
LDLIBS = -lelf -lz -lsimdjson $(SIGMA_LIBS)

# Debian packages the build and the tests need (Sigma's below).
DEB_PACKAGES := make g++ clang llvm libelf-dev zlib1g-dev linux-libc-dev \
                libsimdjson-dev libcli11-dev doctest-dev

LIB_SRCS := $(wildcard base/*.cpp loader/*.cpp engine/*.cpp rules/*.cpp)
# Sigma rules (--sigma) parse YAML with yaml-cpp and run `re` with Hyperscan:
# the two add megabytes to the static binary, more than its size guard
# (test/e2e/ship_test.cpp) allows, so `make static` leaves Sigma out unless
# SIGMA=1 is given, and Debian packages Hyperscan for amd64 only; every other
# build has it (docs/sigma.md, "Build").
ifeq ($(STATIC),1)
  SIGMA ?= 0
else ifneq ($(shell uname -m),x86_64)
  SIGMA ?= 0
else
  SIGMA ?= 1
endif
ifeq ($(SIGMA),1)
  LIB_SRCS += $(filter-out sigma/without_sigma.cpp,$(wildcard sigma/*.cpp))
  SIGMA_LIBS := -lyaml-cpp -lhs
  DEB_PACKAGES += libyaml-cpp-dev libhyperscan-dev
else
  LIB_SRCS += sigma/report.cpp sigma/with_rules.cpp sigma/without_sigma.cpp
  SIGMA_LIBS :=
endif
LIB_OBJS := $(LIB_SRCS:%.cpp=$(BUILD)/%.o) $(BUILD)/rules/embedded_rules.o
CLI_OBJS := $(patsubst %.cpp,$(BUILD)/%.o,$(wildcard cli/*.cpp)) $(BUILD)/cli/embedded_object.o
BPF_OBJ := $(BUILD)/kern/guard.bpf.o
# BPF objects the loader's tests read and load: written in the libbpf style
# with our own headers (kern/bpf_defs.h), compiled like kern/.
FIXTURE_OBJS := $(patsubst test/fixtures/%.bpf.c,$(BUILD)/test/fixtures/%.bpf.o,$(wildcard test/fixtures/*.bpf.c))
SIGMA_TESTS := $(if $(filter 1,$(SIGMA)),,test/unit/sigma_test.cpp test/e2e/sigma_e2e_test.cpp)
UNIT_OBJS := $(patsubst %.cpp,$(BUILD)/%.o,$(filter-out $(SIGMA_TESTS),$(wildcard test/unit/*.cpp))) $(BUILD)/test/doctest_main.o
# The benchmark harness's counting of guard's output is unit-tested.
UNIT_OBJS += $(BUILD)/tools/bench/harness/event_lines.o
E2E_OBJS := $(patsubst %.cpp,$(BUILD)/%.o,$(filter-out $(SIGMA_TESTS),$(wildcard test/e2e/*.cpp))) $(BUILD)/test/doctest_main.o \
            $(BUILD)/test/support/e2e_support.o
# The rings' drop counters are read as the agent reads them (test/e2e/options_test.cpp).
E2E_OBJS += $(BUILD)/cli/agent_rings.o
# Small C programs the end-to-end tests run to cause each syscall guard reports.
HELPERS := $(patsubst test/helpers/%.c,$(BUILD)/test/helpers/%,$(wildcard test/helpers/*.c))
HELPER_CFLAGS := -std=gnu11 -O2 -g -Wall -Wextra -Werror -pthread

.PHONY: all deps run test unit-test clean bench bench-tools engine-bench rules-bench fuzz fuzz-deps fuzz-targets
all: $(GUARD)

$(GUARD): $(CLI_OBJS) $(BUILD)/libguard.a
	$(CXX) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# Made afresh when SIGMA changes (the stamp names its value): a build with
# another SIGMA must not keep the other's members, nor its link.
SIGMA_STAMP := $(BUILD)/sigma-$(SIGMA).stamp
$(SIGMA_STAMP):
	@mkdir -p $(@D)
	rm -f $(BUILD)/sigma-*.stamp
	touch $@
$(BUILD)/libguard.a: $(LIB_OBJS) $(SIGMA_STAMP)
	@mkdir -p $(@D)
	rm -f $@
	ar rcs $@ $(LIB_OBJS)

$(BUILD)/%.o: %.cpp
	@mkdir -p $(@D)
	$(CXX) $(GUARD_CXXFLAGS) -c $< -o $@

# The engine is the per-event hot core: -O3 there is worth ~6% more records
# per second (make engine-bench); everything else stays at CXXFLAGS' level.
$(BUILD)/engine/%.o: GUARD_CXXFLAGS += -O3
# Except the prefilter's compiler, which runs at load, never per event:
# -O3 made it 10 KB bigger in the static binary (docs/benchmarks.md, "Size").
$(BUILD)/engine/prefilter_table.o: GUARD_CXXFLAGS += $(filter -O%,$(CXXFLAGS))

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

# Only guard's lines on stdout (make run | jq): the build's go to stderr.
run:
	@$(MAKE) --no-print-directory deps $(GUARD) >&2
	@./$(GUARD)

test: deps
	$(MAKE) $(PARALLEL) $(GUARD) $(BPF_OBJ) $(FIXTURE_OBJS) $(BUILD)/test/unit_tests $(BUILD)/test/e2e_tests $(HELPERS) \
	  $(SHIP_TEST_DEPS)
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

$(BENCH_FLOOR): $(BUILD)/tools/bench/floor.o $(BUILD)/libguard.a
	$(CXX) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BENCH_HARNESS): $(BENCH_OBJS) $(BUILD)/libguard.a
	$(CXX) $(LDFLAGS) -o $@ $^ $(LDLIBS)

bench-tools: $(GUARD) $(BPF_OBJ) $(BENCH_FLOOR) $(BENCH_WORKLOAD) $(BENCH_HARNESS) $(ENGINE_BENCH)

# The forwarding stage runs a local rsyslogd (tools/bench/harness/measure_forward.cpp).
bench: DEB_PACKAGES += rsyslog
bench: deps
	$(MAKE) bench-tools
	$(BENCH_HARNESS) --guard ./$(GUARD) --floor $(BENCH_FLOOR) --workload $(BENCH_WORKLOAD) --object $(BPF_OBJ) \
	  --scratch $(BUILD)/bench $(if $(BENCH_QUICK),--quick,--docs docs/benchmarks.md) \
	  --command "sudo make bench$(if $(BENCH_QUICK), BENCH_QUICK=1)$(if $(BENCH_ARGS), BENCH_ARGS='$(BENCH_ARGS)')" \
	  $(if $(BENCH_ENGINE),--engine-command "$(BENCH_ENGINE)") \
	  $(BENCH_ARGS)

# --- Shipping: one static binary, install, a Debian package, the manual ----
# make static                 build-static/guard: one file, nothing else needed
# make install [STATIC=1]     PREFIX (/usr/local), DESTDIR; make uninstall
# make deb [STATIC=1]         $(BUILD)/guard_VERSION_ARCH.deb
# The manual, guard(8), is what `guard help --man` prints: the command line's
# own definitions, as --help shows them.
PREFIX ?= /usr/local
SBINDIR ?= $(PREFIX)/sbin
MANDIR ?= $(PREFIX)/share/man
SYSCONFDIR ?= /etc
UNITDIR ?= $(PREFIX)/lib/systemd/system
MAN_PAGE := $(BUILD)/guard.8
INSTALLED := $(DESTDIR)$(SBINDIR)/guard $(DESTDIR)$(MANDIR)/man8/guard.8 $(DESTDIR)$(UNITDIR)/guard.service \
             $(DESTDIR)$(SYSCONFDIR)/logrotate.d/guard
INSTALLED_RULES := $(DESTDIR)$(SYSCONFDIR)/guard/rules.json

.PHONY: static install uninstall deb clean-ship
all: $(FIXTURE_OBJS) # the README's `guard obj` example reads one
clean: clean-ship
clean-ship:
	rm -rf build-static

# Debian ships simdjson as a shared library only: the static build compiles
# the library's one source file, from Debian's source package of the
# installed version (tools/dist/simdjson_source.sh), with the portable
# kernel only: rules files are small and parsed once, and the SIMD kernels
# would add 80 KB.
SIMDJSON_DIR := $(BUILD)/simdjson
SIMDJSON_KERNELS := -DSIMDJSON_IMPLEMENTATION_HASWELL=0 -DSIMDJSON_IMPLEMENTATION_WESTMERE=0 \
                    -DSIMDJSON_IMPLEMENTATION_ICELAKE=0 -DSIMDJSON_IMPLEMENTATION_ARM64=0 \
                    -DSIMDJSON_IMPLEMENTATION_PPC64=0
$(SIMDJSON_DIR)/simdjson.cpp: /usr/include/simdjson.h tools/dist/simdjson_source.sh
	tools/dist/simdjson_source.sh $(@D)
	touch $@
$(SIMDJSON_DIR)/simdjson.o: $(SIMDJSON_DIR)/simdjson.cpp
	$(CXX) -std=c++20 $(CXXFLAGS) $(SIMDJSON_KERNELS) -c $< -o $@

ifeq ($(STATIC),1)
  LDLIBS = -lelf -lz $(SIGMA_LIBS)
  $(GUARD): $(SIMDJSON_DIR)/simdjson.o
  # The loader reads BTF, not DWARF: the object inside is stripped of it,
  # and of .rel.BTF.ext (relocations of the line and function info's
  # instruction offsets, which the loader takes as they are: a third of
  # the object).
  $(BUILD)/cli/embedded_object.o: BPF_OBJ := $(BUILD)/kern/guard.embedded.bpf.o
  $(BUILD)/cli/embedded_object.o: $(BUILD)/kern/guard.embedded.bpf.o
endif
$(BUILD)/kern/guard.embedded.bpf.o: $(BPF_OBJ)
	llvm-strip -g --remove-section=.rel.BTF.ext $< -o $@

# make test builds on every core, unless make was given -j already; it
# also builds what the shipping tests check (not the static binary under
# SAN=1: sanitizers need the dynamic loader) and installs what they run.
NPROC := $(shell nproc 2>/dev/null || echo 1)
PARALLEL = $(if $(findstring jobserver,$(MAKEFLAGS)),,-j$(NPROC))
SHIP_TEST_DEPS := $(MAN_PAGE) $(if $(filter 1,$(SAN)),,static-binary)
test: DEB_PACKAGES += dpkg-dev groff-base systemd python3 rsyslog python3-venv podman busybox-static
.PHONY: static-binary
static-binary:
	$(MAKE) STATIC=1 build-static/guard

# The shipping tests run make targets (with this build's SAN) and the static binary.
$(BUILD)/test/e2e_tests: $(BUILD)/test/support/command.o
$(BUILD)/test/support/command.o: GUARD_CXXFLAGS += -DGUARD_MAKE_VARS='"$(if $(filter 1,$(SAN)),SAN=1)"'
$(BUILD)/test/e2e/ship_test.o: GUARD_CXXFLAGS += \
	-DGUARD_STATIC_BINARY='"$(if $(filter 1,$(SAN)),,$(CURDIR)/build-static/guard)"'

static: DEB_PACKAGES += dpkg-dev
static: deps
	$(MAKE) $(PARALLEL) static-binary

$(MAN_PAGE): $(GUARD)
	./$(GUARD) help --man >$@

# The unit names the directories guard is installed in.
install: $(GUARD) $(MAN_PAGE)
	install -D -m 0755 $(GUARD) $(DESTDIR)$(SBINDIR)/guard
	install -D -m 0644 $(MAN_PAGE) $(DESTDIR)$(MANDIR)/man8/guard.8
	install -d $(DESTDIR)$(UNITDIR)
	sed -e 's|@SBINDIR@|$(SBINDIR)|g' -e 's|@SYSCONFDIR@|$(SYSCONFDIR)|g' tools/dist/guard.service.in \
	  >$(DESTDIR)$(UNITDIR)/guard.service
	install -D -m 0644 tools/dist/guard.logrotate $(DESTDIR)$(SYSCONFDIR)/logrotate.d/guard
	@if [ -e $(INSTALLED_RULES) ]; then \
	  echo "guard: kept $(INSTALLED_RULES) (the built-in rules are: guard rules defaults)"; \
	else \
	  echo "install -D -m 0644 rules/default_rules.json $(INSTALLED_RULES)"; \
	  install -D -m 0644 rules/default_rules.json $(INSTALLED_RULES); \
	fi
	@[ -n "$(DESTDIR)" ] || echo "guard: installed; start it with: systemctl daemon-reload && systemctl enable --now guard"

# A rules file someone changed stays, as dpkg keeps a changed conffile.
uninstall:
	rm -f $(INSTALLED)
	@if cmp -s rules/default_rules.json $(INSTALLED_RULES); then \
	  echo "rm -f $(INSTALLED_RULES)"; rm -f $(INSTALLED_RULES); \
	elif [ -e $(INSTALLED_RULES) ]; then echo "guard: kept $(INSTALLED_RULES): it differs from the built-in rules"; fi
	@rmdir $(DESTDIR)$(SYSCONFDIR)/guard 2>/dev/null || true

# Staged with `make install` (PREFIX=/usr, Debian's unit directory), packed
# by tools/dist/make_deb.sh with dpkg-deb.
DEB_DIR := $(BUILD)/deb
deb: DEB_PACKAGES += dpkg-dev
deb: deps $(GUARD) $(MAN_PAGE)
	rm -rf $(DEB_DIR)
	$(MAKE) --no-print-directory install DESTDIR=$(CURDIR)/$(DEB_DIR)/debian/guard PREFIX=/usr \
	  UNITDIR=/lib/systemd/system >/dev/null
	version=$$(./$(GUARD) version | cut -d' ' -f2); \
	tools/dist/make_deb.sh $(DEB_DIR) $$version $(BUILD)/guard_$${version}_$$(dpkg --print-architecture).deb

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

-include $(shell find $(BUILD) -name '*.d' -type f 2>/dev/null)
-include $(shell find $(FUZZ_BUILD) -name '*.d' -type f 2>/dev/null)

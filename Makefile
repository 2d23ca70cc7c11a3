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
  CXXFLAGS += -fsanitize=address,undefined -fno-omit-frame-pointer
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
UNIT_OBJS := $(patsubst %.cpp,$(BUILD)/%.o,$(wildcard test/unit/*.cpp)) $(BUILD)/test/doctest_main.o
E2E_OBJS := $(patsubst %.cpp,$(BUILD)/%.o,$(wildcard test/e2e/*.cpp)) $(BUILD)/test/doctest_main.o \
            $(BUILD)/test/support/e2e_support.o

.PHONY: all deps run test unit-test clean engine-bench
all: $(GUARD)

$(GUARD): $(CLI_OBJS) $(BUILD)/libguard.a
	$(CXX) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/libguard.a: $(LIB_OBJS)
	@mkdir -p $(@D)
	ar rcs $@ $^

$(BUILD)/%.o: %.cpp
	@mkdir -p $(@D)
	$(CXX) $(GUARD_CXXFLAGS) -c $< -o $@

$(BUILD)/kern/%.bpf.o: kern/%.bpf.c
	@mkdir -p $(@D)
	$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(BUILD)/cli/embedded_object.o: cli/embedded_object.S $(BPF_OBJ)
	@mkdir -p $(@D)
	$(CXX) -c -DGUARD_BPF_OBJECT_PATH='"$(BPF_OBJ)"' $< -o $@

$(BUILD)/rules/embedded_rules.o: rules/embedded_rules.S rules/default_rules.json
	@mkdir -p $(@D)
	$(CXX) -c -DGUARD_DEFAULT_RULES_PATH='"rules/default_rules.json"' $< -o $@

# Tests find the artifacts they check through these absolute paths.
$(BUILD)/test/%.o: GUARD_CXXFLAGS += -DGUARD_SOURCE_DIR='"$(CURDIR)"' \
	-DGUARD_BPF_OBJECT='"$(CURDIR)/$(BPF_OBJ)"' -DGUARD_BINARY='"$(CURDIR)/$(GUARD)"'

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
	$(MAKE) $(GUARD) $(BPF_OBJ) $(BUILD)/test/unit_tests $(BUILD)/test/e2e_tests
	BUILD=$(BUILD) test/run_tests.sh

clean:
	rm -rf build build-san guard

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)

# sfewlua: build, dependencies, tests, the main run, benchmarks and installation.
# `make run` and `make test` are the whole set-up on a fresh Debian machine.

VERSION  := 0.1.0
PREFIX   ?= /usr/local
BUILD    ?= build
CC       ?= cc
SANITIZE ?=

# Debian packages the project needs; `make deps` installs the missing ones.
DEB_PACKAGES := lua5.4 liblua5.4-dev libstb-dev libopenblas-dev lua-busted lua-check \
                libreadline-dev zlib1g-dev libjpeg-dev gnuplot-nox dataset-fashion-mnist pkg-config tmux \
                valgrind parallel opencv-data
# Only `make fuzz` needs these (libFuzzer's runtime is a Recommends of clang, so named).
FUZZ_DEB_PACKAGES := clang libclang-rt-dev

PKGS     := lua5.4 openblas stb zlib libjpeg
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
OPT      ?= -O2
CFLAGS   += -std=c11 -Wall -Wextra -Wpedantic $(OPT) -g -fPIC \
            -DSFEW_VERSION=\"$(VERSION)\" $(PKG_CFLAGS) $(SANITIZE)
# Libraries for the engine; the host adds Lua and readline (sfew.so takes Lua's
# symbols from the interpreter that loads it).
ENGINE_LIBS = $(shell pkg-config --libs openblas stb zlib libjpeg 2>/dev/null) -lm -lpthread
HOST_LIBS   = $(shell pkg-config --libs lua5.4 2>/dev/null) -lreadline

ENGINE_SRC  := $(sort $(wildcard engine/*.c engine/*/*.c))
HOST_SRC    := bindings/sfewlua.c $(sort $(wildcard bindings/repl*.c))
BIND_SRC    := $(sort $(filter-out $(HOST_SRC),$(wildcard bindings/*.c)))
ENGINE_OBJ  := $(ENGINE_SRC:%.c=$(BUILD)/obj/%.o)
BIND_OBJ    := $(BIND_SRC:%.c=$(BUILD)/obj/%.o)
HOST_OBJ    := $(HOST_SRC:%.c=$(BUILD)/obj/%.o)
DEPFILES    := $(ENGINE_OBJ:.o=.d) $(BIND_OBJ:.o=.d) $(HOST_OBJ:.o=.d)

ASAN_FLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined

.PHONY: all deps run test test-plain test-asan test-engine asan lint bench bench-deps fuzz fuzz-lua \
        memcheck install uninstall clean check-deps

all: check-deps $(BUILD)/sfewlua $(BUILD)/sfew.so

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/sfewlua: $(HOST_OBJ) $(BIND_OBJ) $(ENGINE_OBJ)
	$(CC) $(CFLAGS) -rdynamic -o $@ $^ $(HOST_LIBS) $(ENGINE_LIBS)

$(BUILD)/sfew.so: $(BIND_OBJ) $(ENGINE_OBJ)
	$(CC) $(CFLAGS) -shared -o $@ $^ $(ENGINE_LIBS)

-include $(DEPFILES)

# Installs what is missing (apt-get update first, only when something is).
deps:
	@bash tools/deps.sh $(DEB_PACKAGES)

check-deps:
	@bash tools/deps.sh --check $(DEB_PACKAGES) || $(MAKE) --no-print-directory deps

asan:
	@$(MAKE) --no-print-directory BUILD=build-asan OPT=-O1 SANITIZE="$(ASAN_FLAGS)" \
		build-asan/sfewlua build-asan/sfew.so build-asan/engine_test $(C_TESTS:%=build-asan/%)

# The engine's C test program (tests/engine/): layers and optimiser options against the
# PyTorch fixtures, before their Lua bindings exist. It reads the Lua fixtures with Lua.
ENGINE_TEST_SRC := $(sort $(wildcard tests/engine/*.c))
$(BUILD)/engine_test: $(ENGINE_TEST_SRC:%.c=$(BUILD)/obj/%.o) $(ENGINE_OBJ)
	$(CC) $(CFLAGS) -o $@ $^ $(HOST_LIBS) $(ENGINE_LIBS)

test-engine: all asan $(BUILD)/engine_test
	@$(BUILD)/engine_test tests/fixtures/torch
	@build-asan/engine_test tests/fixtures/torch

# The worked example in engine/sfew.h's comment, cut out as it stands, built with
# -Werror and run by `make test` (it exits non-zero unless training lowers the loss).
$(BUILD)/sfew_example.c: engine/sfew.h
	@mkdir -p $(dir $@)
	@awk '/^ \* -- example end/ { on = 0 } on { sub(/^ \*/, ""); sub(/^    /, ""); print } \
		/^ \* -- example begin/ { on = 1 }' $< > $@

# C tests of the engine alone (tests/c/*.c), built like the example.
C_TESTS := sfew_example $(patsubst tests/c/%.c,%,$(wildcard tests/c/*.c))

$(BUILD)/sfew_example: $(BUILD)/sfew_example.c $(ENGINE_OBJ)
	$(CC) $(CFLAGS) -Werror -Iengine -o $@ $< $(ENGINE_OBJ) $(ENGINE_LIBS)

$(BUILD)/%: tests/c/%.c $(ENGINE_OBJ)
	$(CC) $(CFLAGS) -Werror -Iengine -o $@ $< $(ENGINE_OBJ) $(ENGINE_LIBS)

# The C tests on both builds (the engine test against the PyTorch fixtures, the header's
# example, tests/c/*.c), then the busted suite on the plain build and on the
# ASan + UBSan build; ends with one line "N passed, N failed".
test: all asan test-engine $(C_TESTS:%=$(BUILD)/%)
	@for t in $(C_TESTS); do $(BUILD)/$$t >/dev/null && \
		LSAN_OPTIONS="suppressions=$(CURDIR)/tests/lsan.supp" build-asan/$$t >/dev/null \
		|| { echo "not ok - the C test $$t failed"; exit 1; }; done
	@bash tests/run.sh

test-plain: all
	@bash tests/run.sh plain

# libFuzzer targets (tests/fuzz/*_fuzz.c), built with clang into build-fuzz/; each runs
# FUZZ_SECONDS from its seed corpus tests/fuzz/corpus/<target>/ (new inputs go to
# build-fuzz/corpus/<target>/, crashes to build-fuzz/). Fails if any target finds a crash,
# a leak or a timeout. Only `make fuzz` needs clang.
FUZZ_SECONDS ?= 30
FUZZ_CC      ?= clang
FUZZ_TARGETS := $(patsubst tests/fuzz/%_fuzz.c,%,$(wildcard tests/fuzz/*_fuzz.c))
FUZZ_CFLAGS  := -std=c11 -g -O1 -fno-omit-frame-pointer \
                $(shell pkg-config --cflags stb zlib openblas 2>/dev/null)
FUZZ_ENGINE  := $(ENGINE_SRC:%.c=build-fuzz/obj/%.o)
# Undefined behaviour stops the target like a crash, so the fuzzer counts it as a finding.
FUZZ_SAN     := -fsanitize=address,undefined -fno-sanitize-recover=undefined
.SECONDARY: $(FUZZ_ENGINE)

build-fuzz/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) $(FUZZ_SAN) -fsanitize=fuzzer-no-link -c $< -o $@

build-fuzz/%_fuzz: tests/fuzz/%_fuzz.c tests/fuzz/fuzz_file.h $(FUZZ_ENGINE)
	$(FUZZ_CC) $(FUZZ_CFLAGS) $(FUZZ_SAN) -fsanitize=fuzzer -o $@ $< $(FUZZ_ENGINE) \
		$(ENGINE_LIBS)

fuzz:
	@bash tools/deps.sh --check $(FUZZ_DEB_PACKAGES) || bash tools/deps.sh $(FUZZ_DEB_PACKAGES)
	@$(MAKE) --no-print-directory $(FUZZ_TARGETS:%=build-fuzz/%_fuzz) asan
	@s=0; bash tests/fuzz/run.sh $(FUZZ_SECONDS) $(FUZZ_TARGETS) || s=1; \
		bash tests/fuzz/lua_run.sh $(FUZZ_SECONDS) $(FUZZ_SEED) || s=1; exit $$s

# The Lua-level fuzzer alone (tests/fuzz/lua_run.sh): FUZZ_SECONDS of generated calls from
# seed FUZZ_SEED on, in children of the ASan + UBSan host; finds go to build-fuzz/lua/finds/.
FUZZ_SEED ?= 1
fuzz-lua: asan
	@bash tests/fuzz/lua_run.sh $(FUZZ_SECONDS) $(FUZZ_SEED)

# One short training script under valgrind on the plain build: zero errors and nothing
# definitely lost (tests/valgrind.supp holds the OpenBLAS / dlopen noise).
memcheck: all
	valgrind --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite \
		--suppressions=tests/valgrind.supp --gen-suppressions=no -q \
		$(BUILD)/sfewlua tests/memcheck.lua

lint:
	luacheck scripts experiments tests bench

# The main job: generates the default data when missing and runs the paper.
run: all
	@$(BUILD)/sfewlua tools/run.lua $(ARGS)

# Benchmarks against PyTorch, then the cost of augmentation (bench/README.md);
# BENCH_ARGS="--quick" for a short run.
bench: all $(BUILD)/peak
	@$(BUILD)/sfewlua bench/run.lua $(BENCH_ARGS)
	@$(BUILD)/sfewlua bench/augment.lua

# The FMA peak microbenchmark: the one file built with -mavx2 -mfma (and OpenMP, which
# nothing else uses).
$(BUILD)/peak: bench/peak.c
	@mkdir -p $(BUILD)
	$(CC) -std=c11 -Wall -Wextra -Wpedantic -O2 -mavx2 -mfma -fopenmp $< -o $@

# Optional: the PyTorch peer for `make bench` (never needed by test or run).
bench-deps:
	@bash tools/deps.sh python3-torch python3-opencv

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/sfewlua
	install -m 755 $(BUILD)/sfewlua $(DESTDIR)$(PREFIX)/bin/sfewlua
	cp -r scripts experiments tools $(DESTDIR)$(PREFIX)/share/sfewlua/

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/sfewlua
	rm -rf $(DESTDIR)$(PREFIX)/share/sfewlua

clean:
	rm -rf build build-asan build-fuzz

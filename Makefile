# libdsjson build.  `make demo` and `make check` install missing build
# dependencies (Debian/apt-get) first, then build and run.
#
# Targets: all deps lib tools check demo bench fuzz sanitize fuzz-smoke install uninstall clean
# Variables: PREFIX (/usr/local), DESTDIR, CC, CFLAGS_EXTRA, CORPUS (../shared/corpus),
#            FUZZ_SECONDS (60, per harness), FUZZ_CC (clang), FUZZ_JOBS (2)

PREFIX  ?= /usr/local
DESTDIR ?=
CC      ?= cc
CORPUS  ?= ../shared/corpus
BUILD   ?= build
VERSION := 0.1.0
SOVER   := 0

PKGS    := libxml-2.0 json-c libpcre2-8 zlib
DEBPKGS := gcc make pkg-config libxml2-dev libjson-c-dev libpcre2-dev libcunit1-dev zlib1g-dev \
           libxml2-utils python3 python3-jsonschema libreadstat-dev readstat \
           clang libclang-rt-14-dev time

# pkg-config is only asked once dependencies are known to exist.
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   = $(shell pkg-config --libs $(PKGS) 2>/dev/null)
CUNIT_LIBS = $(shell pkg-config --libs cunit 2>/dev/null || echo -lcunit)

WARN    := -Wall -Wextra -Werror -Wshadow -Wpointer-arith -Wstrict-prototypes -Wmissing-prototypes
CFLAGS  ?= -O2 -g
ALL_CFLAGS = -std=c11 -D_GNU_SOURCE $(WARN) $(CFLAGS) $(CFLAGS_EXTRA) -fPIC -fvisibility=hidden \
             -Ilibdsjson $(PKG_CFLAGS)
LDLIBS  = $(PKG_LIBS) -lreadstat -lm

LIB_SRC  := $(wildcard libdsjson/*.c)
LIB_OBJ  := $(patsubst libdsjson/%.c,$(BUILD)/obj/%.o,$(LIB_SRC))
TOOL_SRC := $(wildcard tools/*.c)
TOOL_OBJ := $(patsubst tools/%.c,$(BUILD)/tools/%.o,$(TOOL_SRC))
UNIT_SRC := $(wildcard tests/unit/test_*.c)
UNIT_BIN := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(UNIT_SRC))
HEADERS  := $(wildcard libdsjson/*.h)
PUBLIC_HEADERS := libdsjson/dsjson.h libdsjson/dsjson_define.h libdsjson/dsjson_odm.h libdsjson/dsjson_checks.h

STATIC := $(BUILD)/libdsjson.a
SHARED := $(BUILD)/libdsjson.so.$(VERSION)
DSJSON := $(BUILD)/dsjson
DEPS_STAMP := $(BUILD)/.deps-ok

.PHONY: all deps lib tools check unit-tests cli-tests suite-tests corpus-tests demo bench fuzz \
        fuzz-build fuzz-harnesses fuzz-smoke sanitize check-bins install uninstall clean

all: deps
	@$(MAKE) --no-print-directory lib tools

lib: $(STATIC) $(SHARED)
tools: $(DSJSON)

# ---------------------------------------------------------------- deps
deps: $(DEPS_STAMP)

$(DEPS_STAMP):
	@sh tools/install-deps.sh $(DEBPKGS)
	@mkdir -p $(BUILD) && touch $@

# ---------------------------------------------------------------- build
$(BUILD)/obj/%.o: libdsjson/%.c $(HEADERS) | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c $< -o $@

$(BUILD)/tools/%.o: tools/%.c $(HEADERS) $(wildcard tools/*.h) | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c $< -o $@

$(STATIC): $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(SHARED): $(LIB_OBJ)
	$(CC) -shared -Wl,-soname,libdsjson.so.$(SOVER) -o $@ $^ $(LDLIBS)
	@ln -sf libdsjson.so.$(VERSION) $(BUILD)/libdsjson.so.$(SOVER)
	@ln -sf libdsjson.so.$(VERSION) $(BUILD)/libdsjson.so

$(DSJSON): $(TOOL_OBJ) $(STATIC)
	$(CC) $(ALL_CFLAGS) -o $@ $(TOOL_OBJ) $(STATIC) $(LDLIBS)

$(BUILD)/tests/%: tests/unit/%.c tests/unit/test_util.h $(STATIC) | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -Itests/unit -o $@ $< $(STATIC) $(LDLIBS) $(CUNIT_LIBS)

# ---------------------------------------------------------------- tests
# make check: every test; CORPUS tests skip with a message when ../shared/corpus is absent.
check: deps
	@$(MAKE) --no-print-directory lib tools $(UNIT_BIN)
	@$(MAKE) --no-print-directory unit-tests suite-tests cli-tests corpus-tests
	@$(MAKE) --no-print-directory fuzz-smoke
	@$(MAKE) --no-print-directory sanitize
	@echo "make check: all test groups passed (unit, suites, cli, corpus, fuzz smoke, sanitizers)"
	@echo "groups: 6 passed, 0 failed"

# Everything the tests run, for one BUILD (used by `make sanitize` with BUILD=$(SAN_BUILD)).
check-bins: $(DSJSON) $(UNIT_BIN)

unit-tests: $(UNIT_BIN)
	@sh tests/run-unit.sh $(UNIT_BIN)

suite-tests: $(DSJSON)
	@sh tests/run-suites.sh $(DSJSON)

cli-tests: $(DSJSON)
	@sh tests/cli/run.sh $(DSJSON)

corpus-tests: $(DSJSON)
	@sh tests/corpus/run.sh $(DSJSON) $(CORPUS)

# ---------------------------------------------------------------- demo
demo: deps
	@$(MAKE) --no-print-directory lib tools
	@sh tools/demo.sh $(DSJSON)

# ---------------------------------------------------------------- bench
bench: deps
	@$(MAKE) --no-print-directory lib tools
	@sh tests/bench/run.sh $(DSJSON)

# ---------------------------------------------------------------- sanitizers
# The library, the CLI and the unit tests built with AddressSanitizer and
# UndefinedBehaviorSanitizer into $(SAN_BUILD), then the unit, suite and CLI
# tests run on them (tests/sanitize.sh).  Uses $(CC) (gcc is enough).
SAN_BUILD  ?= build-asan
SAN_CFLAGS ?= -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all

sanitize: deps
	@$(MAKE) --no-print-directory $(SUBJOBS) BUILD=$(SAN_BUILD) CFLAGS="$(SAN_CFLAGS)" check-bins
	@sh tests/sanitize.sh $(SAN_BUILD)

# ---------------------------------------------------------------- fuzzing
# libFuzzer harnesses tests/fuzz/fuzz_*.c, built with clang against a copy of
# the library compiled with ASan+UBSan into $(FUZZ_BUILD); tests/fuzz/run.sh
# makes the seed corpora (build/fuzz-seeds, from testdata/ and the dsjson
# writers) and runs each harness FUZZ_SECONDS seconds (docs/reliability.md).
FUZZ_CC      ?= clang
FUZZ_BUILD   ?= build-fuzz
FUZZ_SECONDS ?= 60
FUZZ_JOBS    ?= 2
# Parallel compilation of the extra builds (sanitize, fuzz) when make itself was started without -j.
SUBJOBS      ?= $(if $(findstring j,$(firstword -$(MAKEFLAGS))),,-j$(shell nproc 2>/dev/null || echo 2))
FUZZ_SAN     := -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer
FUZZ_SRC     := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_BIN     := $(patsubst tests/fuzz/%.c,$(FUZZ_BUILD)/fuzz/%,$(FUZZ_SRC))
FUZZ_CFLAGS   = -std=c11 -D_GNU_SOURCE $(WARN) -O1 -g $(FUZZ_SAN) -Ilibdsjson $(PKG_CFLAGS)

fuzz-build: deps
	@$(MAKE) --no-print-directory $(SUBJOBS) BUILD=$(FUZZ_BUILD) CC=$(FUZZ_CC) \
	    CFLAGS="-O1 -g $(FUZZ_SAN) -fsanitize=fuzzer-no-link" $(FUZZ_BUILD)/libdsjson.a
	@$(MAKE) --no-print-directory $(SUBJOBS) fuzz-harnesses

fuzz-harnesses: $(FUZZ_BIN)

$(FUZZ_BUILD)/fuzz/%: tests/fuzz/%.c tests/fuzz/fuzz_common.h $(FUZZ_BUILD)/libdsjson.a
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer -o $@ $< $(FUZZ_BUILD)/libdsjson.a $(LDLIBS)

fuzz: deps
	@$(MAKE) --no-print-directory lib tools fuzz-build
	@sh tests/fuzz/run.sh $(DSJSON) $(FUZZ_BUILD) $(FUZZ_SECONDS) $(FUZZ_JOBS)

# A few seconds per harness; skipped with a message when clang/libFuzzer is missing.
fuzz-smoke: deps
	@if sh tests/fuzz/have-libfuzzer.sh $(FUZZ_CC); then \
	    $(MAKE) --no-print-directory lib tools fuzz-build && \
	    sh tests/fuzz/run.sh $(DSJSON) $(FUZZ_BUILD) $${FUZZ_SMOKE_SECONDS:-3} $(FUZZ_JOBS); \
	else echo "fuzz smoke: skipped ($(FUZZ_CC) with libFuzzer is not available; make deps installs it)"; fi

# ---------------------------------------------------------------- install
install: all
	install -d $(DESTDIR)$(PREFIX)/lib $(DESTDIR)$(PREFIX)/include/libdsjson \
	           $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/lib/pkgconfig \
	           $(DESTDIR)$(PREFIX)/share/man/man1
	install -m 644 $(STATIC) $(DESTDIR)$(PREFIX)/lib/
	install -m 755 $(SHARED) $(DESTDIR)$(PREFIX)/lib/
	ln -sf libdsjson.so.$(VERSION) $(DESTDIR)$(PREFIX)/lib/libdsjson.so.$(SOVER)
	ln -sf libdsjson.so.$(VERSION) $(DESTDIR)$(PREFIX)/lib/libdsjson.so
	install -m 644 $(PUBLIC_HEADERS) $(DESTDIR)$(PREFIX)/include/libdsjson/
	install -m 755 $(DSJSON) $(DESTDIR)$(PREFIX)/bin/
	install -m 644 docs/dsjson.1 $(DESTDIR)$(PREFIX)/share/man/man1/
	sed -e 's|@PREFIX@|$(PREFIX)|g' -e 's|@VERSION@|$(VERSION)|g' libdsjson.pc.in \
	    > $(DESTDIR)$(PREFIX)/lib/pkgconfig/libdsjson.pc

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/lib/libdsjson.a $(DESTDIR)$(PREFIX)/lib/libdsjson.so* \
	      $(DESTDIR)$(PREFIX)/bin/dsjson $(DESTDIR)$(PREFIX)/share/man/man1/dsjson.1 \
	      $(DESTDIR)$(PREFIX)/lib/pkgconfig/libdsjson.pc
	rm -rf $(DESTDIR)$(PREFIX)/include/libdsjson

clean:
	rm -rf $(BUILD) $(SAN_BUILD) $(FUZZ_BUILD)

# wardwatch — build, test, demo, bench, fuzz, install.
#
#   make            build bin/wardwatch
#   make check      install missing Debian packages, build, run every test
#   make layers     check which layer includes which (scripts/layers.sh)
#   make demo       install missing Debian packages, build, run the demo ward
#   make bench      build and run the benchmarks (prints figures)
#   make burden     alarm burden and event-to-alarm times per simulator scenario
#   make accuracy   the DSP's coverage and error per real and synthetic recording
#   make fuzz       long libFuzzer runs of every harness (FUZZ_SECONDS each)
#   make crash-soak 1000 SIGKILLs of serve while commands arrive (KILLS=N)
#   make soak       24 simulated hours of the demo ward (RSS, database size)
#                   and valgrind --leak-check=full over shorter replays
#   make install    PREFIX=/usr/local DESTDIR= (binary, demo ward, sample INI,
#                   man pages, systemd unit and sysusers entry, udev example)
#   make uninstall  the same variables: removes what install put there
#   make SANITIZE=address,undefined check

VERSION    := 0.1.0
PREFIX     ?= /usr/local
BINDIR     ?= $(PREFIX)/bin
DATADIR    ?= $(PREFIX)/share/wardwatch
MANDIR     ?= $(PREFIX)/share/man
SYSCONFDIR ?= /etc
DESTDIR    ?=
# systemd and udev look under /usr/local/lib too; with PREFIX=/usr the
# distribution's places
SYSTEMDUNITDIR ?= $(PREFIX)/lib/systemd/system
SYSUSERSDIR    ?= $(PREFIX)/lib/sysusers.d
EXAMPLEDIR     ?= $(DATADIR)/examples

CC       ?= cc
PKG      ?= pkg-config
PKGS     := ncursesw sqlite3 libserialport libiio pangocairo libcurl jansson
LOCALEDIR  ?= $(PREFIX)/share/locale
CPPFLAGS += -D_GNU_SOURCE -DWARDWATCH_VERSION='"$(VERSION)"' -DWARDWATCH_LOCALEDIR='"$(LOCALEDIR)"' \
            -DWARDWATCH_DATADIR='"$(DATADIR)"' -DWARDWATCH_SYSCONFDIR='"$(SYSCONFDIR)"' \
            -Isrc -Isensors -Iscoring -Iui -I/usr/include/iniparser
CFLAGS   ?= -O2 -g
CFLAGS   += -std=c11 -Wall -Wextra -Wshadow -Wstrict-prototypes -Wformat=2 \
            -Wno-unused-parameter -MMD -MP -pthread
LDLIBS   += -liniparser -lm -pthread

# pkg-config when it knows the library, plain -l names when it does not.
PKG_CFLAGS := $(shell $(PKG) --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell $(PKG) --libs $(PKGS) 2>/dev/null || echo -lncursesw -lsqlite3 -lserialport -liio -lpangocairo-1.0 -lpango-1.0 -lcairo -lgobject-2.0 -lglib-2.0 -lcurl -ljansson)
CPPFLAGS   += $(PKG_CFLAGS)
LDLIBS     := $(PKG_LIBS) $(LDLIBS)

ifneq ($(SANITIZE),)
CFLAGS  += -fsanitize=$(SANITIZE) -fno-omit-frame-pointer -fno-sanitize-recover=all
LDFLAGS += -fsanitize=$(SANITIZE)
BUILD   ?= build-san
else
BUILD   ?= build
endif

# Every .c in the four layers is part of the core library except main.c; tests,
# benchmarks and the binary link against it. New modules need no Makefile edit.
LIB_SRC  := $(filter-out src/main.c,$(wildcard src/*.c sensors/*.c scoring/*.c ui/*.c))
LIB_OBJ  := $(LIB_SRC:%.c=$(BUILD)/%.o)
LIB      := $(BUILD)/libwardwatch.a
BIN      := bin/wardwatch
ifneq ($(SANITIZE),)
BIN      := bin/wardwatch-san
endif

TEST_SRC   := $(wildcard tests/test_*.c)
TEST_BIN   := $(TEST_SRC:tests/%.c=$(BUILD)/tests/%)
HELPER_SRC := $(wildcard tests/helpers/*.c)
HELPER_OBJ := $(HELPER_SRC:%.c=$(BUILD)/%.o)
SHIM_SO    := $(BUILD)/tests/ioctl_shim.so
TOOL_SRC   := $(wildcard tests/tools/*.c)
TOOL_BIN   := $(TOOL_SRC:tests/tools/%.c=$(BUILD)/tests/tools/%)
BENCH_SRC  := $(wildcard bench/bench_*.c)
BENCH_BIN  := $(BENCH_SRC:bench/%.c=$(BUILD)/bench/%)
FUZZ_SRC   := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_BIN   := $(FUZZ_SRC:tests/fuzz/%.c=build-fuzz/%)

# Message catalogues: po/LANG.po -> build/locale/LANG/LC_MESSAGES/wardwatch.mo
# (found next to the binary in a build tree, else in LOCALEDIR).
PO_FILES := $(wildcard po/*.po)
MO_FILES := $(PO_FILES:po/%.po=build/locale/%/LC_MESSAGES/wardwatch.mo)

.SECONDARY:

.PHONY: all deps deps-test check layers demo bench burden accuracy fuzz fuzz-smoke soak crash-soak install uninstall clean tests

all: $(BIN) $(MO_FILES)

build/locale/%/LC_MESSAGES/wardwatch.mo: po/%.po
	@mkdir -p $(dir $@)
	msgfmt --check -o $@ $<

deps:
	@sh scripts/deps.sh build

# The npm test peers (FHIR server, MLLP server), pinned by tests/npm/package-lock.json.
deps-test:
	@sh scripts/deps.sh test
	@if command -v npm >/dev/null 2>&1 && { [ ! -e tests/npm/node_modules/.package-lock.json ] || \
	  [ tests/npm/package-lock.json -nt tests/npm/node_modules/.package-lock.json ]; }; then \
	  echo "deps: npm ci in tests/npm (the FHIR and MLLP test peers)"; \
	  (cd tests/npm && npm ci --no-audit --no-fund --loglevel=error) || \
	  echo "deps: npm ci failed: tests/t_fhir.sh and t_export_ca.sh will say SKIP" >&2; fi

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -c $< -o $@

$(LIB): $(LIB_OBJ)
	@mkdir -p $(dir $@)
	rm -f $@
	$(AR) rcs $@ $^

$(BIN): $(BUILD)/src/main.o $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/tests/%: tests/%.c $(HELPER_OBJ) $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) -Itests/helpers $(CFLAGS) $(LDFLAGS) -o $@ $< $(HELPER_OBJ) $(LIB) $(LDLIBS) -lcmocka

$(BUILD)/tests/helpers/%.o: tests/helpers/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) -Itests/helpers $(CFLAGS) -c $< -o $@

# Programs the integration tests drive (sensor emulators, feeders).
$(BUILD)/tests/tools/%: tests/tools/%.c $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $< $(LIB) $(LDLIBS) -lutil

# LD_PRELOAD shim that lets libserialport open a pty (see tests/README).
$(SHIM_SO): tests/shim/ioctl_shim.c
	@mkdir -p $(dir $@)
	$(CC) -shared -fPIC -O2 -Wall -o $@ $< -ldl

$(BUILD)/bench/%: bench/%.c $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $< $(LIB) $(LDLIBS)

tests: $(BIN) $(MO_FILES) $(TEST_BIN) $(TOOL_BIN) $(if $(wildcard tests/shim/ioctl_shim.c),$(SHIM_SO))

check: deps-test
	@$(MAKE) --no-print-directory tests
	@WARDWATCH_BIN=$(CURDIR)/$(BIN) WARDWATCH_BUILD=$(CURDIR)/$(BUILD) sh tests/run.sh $(TEST_BIN)

# The include rules between layers (doc/design.md); tests/t_layers.sh runs
# it in make check, with injected breaks that must fail.
layers:
	@sh scripts/layers.sh && echo "layers: ok"

demo: deps
	@$(MAKE) --no-print-directory all
	@sh scripts/demo.sh $(BIN)

bench: deps-test
	@$(MAKE) --no-print-directory $(BIN) $(BENCH_BIN)
	@for b in $(BENCH_BIN); do echo "== $$b"; WARDWATCH_BIN=$(BIN) $$b || exit 1; done

# Alarms per bed-hour and event-to-alarm times of every scenario, every
# sensor kind, three seeds (README's table; HOURS=4 SEEDS=3 by default).
burden: deps
	@$(MAKE) --no-print-directory $(BIN)
	@sh scripts/alarm_burden.sh $(BIN) --hours $${HOURS:-4} --seeds $${SEEDS:-3}

# DSP accuracy on real recordings (../shared/data) and synthetic ones.
accuracy: deps-test
	@$(MAKE) --no-print-directory $(BUILD)/bench/accuracy_dsp
	@$(BUILD)/bench/accuracy_dsp

# Long run (not in make check; tests/t_soak_short.sh is its bounded form).
soak: deps-test
	@$(MAKE) --no-print-directory $(BIN)
	@sh scripts/soak.sh $(BIN)

# 1000 SIGKILLs of serve while commands arrive (make check runs 50).
crash-soak: deps-test
	@$(MAKE) --no-print-directory tests
	@KILLS=$${KILLS:-1000} WARDWATCH_BIN=$(CURDIR)/$(BIN) WARDWATCH_BUILD=$(CURDIR)/$(BUILD) sh tests/t_crash.sh

# libFuzzer harnesses are built with clang straight from the sources they test.
FUZZ_CC     ?= clang
FUZZ_FLAGS  := -g -O1 -fsanitize=fuzzer,address,undefined -std=c11 -D_GNU_SOURCE \
               -DWARDWATCH_VERSION='"$(VERSION)"' -DWARDWATCH_DATADIR='"$(DATADIR)"' \
               -DWARDWATCH_SYSCONFDIR='"$(SYSCONFDIR)"' \
               -Isrc -Isensors -Iscoring -Iui -I/usr/include/iniparser $(PKG_CFLAGS)
FUZZ_SECONDS ?= 60
# Library objects are compiled once for all harnesses (any header change
# recompiles them all), then each harness links them.
FUZZ_OBJ    := $(LIB_SRC:%.c=build-fuzz/obj/%.o)
build-fuzz/obj/%.o: %.c $(wildcard src/*.h sensors/*.h scoring/*.h ui/*.h)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_FLAGS) -c $< -o $@
build-fuzz/%: tests/fuzz/%.c $(FUZZ_OBJ)
	@mkdir -p build-fuzz
	$(FUZZ_CC) $(FUZZ_FLAGS) -o $@ $< $(FUZZ_OBJ) $(LDLIBS)

# Crash, leak and timeout inputs go to build-fuzz/artifacts-NAME/, never the
# repository root; a finding worth keeping is copied into tests/fuzz/corpus/NAME.
fuzz: deps-test $(FUZZ_BIN)
	@for f in $(FUZZ_BIN); do n=$$(basename $$f); mkdir -p build-fuzz/corpus-$$n build-fuzz/artifacts-$$n; \
	  echo "== $$n for $(FUZZ_SECONDS) s"; \
	  $$f -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 -artifact_prefix=build-fuzz/artifacts-$$n/ \
	    build-fuzz/corpus-$$n tests/fuzz/corpus/$$n 2>&1 | grep -E "stat::number_of_executed_units|ERROR|SUMMARY|artifact" ; done

install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(DATADIR) $(DESTDIR)$(SYSCONFDIR)/wardwatch
	install -m 0755 $(BIN) $(DESTDIR)$(BINDIR)/wardwatch
	install -m 0644 etc/wardwatch.ini $(DESTDIR)$(SYSCONFDIR)/wardwatch/wardwatch.ini.sample
	for mo in $(MO_FILES); do l=$$(echo $$mo | cut -d/ -f3); \
	  install -d $(DESTDIR)$(LOCALEDIR)/$$l/LC_MESSAGES; \
	  install -m 0644 $$mo $(DESTDIR)$(LOCALEDIR)/$$l/LC_MESSAGES/wardwatch.mo; done
	install -d $(DESTDIR)$(DATADIR)/demo
	install -m 0644 data/demo/ward.ini data/demo/scenarios.txt $(DESTDIR)$(DATADIR)/demo/
	install -d $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man5
	install -m 0644 etc/wardwatch.1 $(DESTDIR)$(MANDIR)/man1/wardwatch.1
	install -m 0644 etc/wardwatch.ini.5 $(DESTDIR)$(MANDIR)/man5/wardwatch.ini.5
	install -d $(DESTDIR)$(SYSTEMDUNITDIR) $(DESTDIR)$(SYSUSERSDIR) $(DESTDIR)$(EXAMPLEDIR)
	sed -e 's|@BINDIR@|$(BINDIR)|g' -e 's|@SYSCONFDIR@|$(SYSCONFDIR)|g' \
	  etc/systemd/wardwatch.service.in >$(DESTDIR)$(SYSTEMDUNITDIR)/wardwatch.service
	chmod 0644 $(DESTDIR)$(SYSTEMDUNITDIR)/wardwatch.service
	install -m 0644 etc/systemd/wardwatch.sysusers $(DESTDIR)$(SYSUSERSDIR)/wardwatch.conf
	install -m 0644 etc/udev/60-wardwatch-radar.rules $(DESTDIR)$(EXAMPLEDIR)/
	install -m 0644 doc/protocol.md $(DESTDIR)$(DATADIR)/protocol.md

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/wardwatch $(DESTDIR)$(SYSCONFDIR)/wardwatch/wardwatch.ini.sample
	rm -rf $(DESTDIR)$(DATADIR)/demo
	rm -f $(DESTDIR)$(LOCALEDIR)/*/LC_MESSAGES/wardwatch.mo
	rm -f $(DESTDIR)$(MANDIR)/man1/wardwatch.1 $(DESTDIR)$(MANDIR)/man5/wardwatch.ini.5
	rm -f $(DESTDIR)$(SYSTEMDUNITDIR)/wardwatch.service $(DESTDIR)$(SYSUSERSDIR)/wardwatch.conf
	rm -f $(DESTDIR)$(EXAMPLEDIR)/60-wardwatch-radar.rules $(DESTDIR)$(DATADIR)/protocol.md
	-rmdir $(DESTDIR)$(EXAMPLEDIR) $(DESTDIR)$(DATADIR) 2>/dev/null
	-rmdir $(DESTDIR)$(SYSCONFDIR)/wardwatch 2>/dev/null

clean:
	rm -rf build build-san build-fuzz bin

-include $(shell find build build-san -name '*.d' 2>/dev/null)

# dcity — build, test, demo, install.  See DESIGN notes in README.md.
PREFIX  ?= /usr/local
DESTDIR ?=
BINDIR   = $(PREFIX)/bin
MANDIR   = $(PREFIX)/share/man
COMPDIR  = $(PREFIX)/share/bash-completion/completions
ZCOMPDIR = $(PREFIX)/share/zsh/vendor-completions

CC      ?= cc
PKGS     = sqlite3 json-c libcrypto libxml-2.0 libgit2
DEPS_OK := $(shell pkg-config --exists $(PKGS) cmocka && test -f /usr/include/csv.h && echo yes)
ifneq ($(DEPS_OK),yes)
$(info dcity: dependencies missing, running scripts/install-deps)
$(shell scripts/install-deps >&2)
endif
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) | sed 's/-I/-isystem /g')
PKG_LIBS   := $(shell pkg-config --libs $(PKGS)) -lcsv -lm
WARN     = -std=c11 -Wall -Wextra -Wpedantic -Werror -Wno-unused-parameter
CFLAGS  ?= -O2 -g
ALL_CFLAGS = $(WARN) -D_GNU_SOURCE -Ilib $(PKG_CFLAGS) $(CFLAGS)

COMMANDS = dc dc-case dc-assign dc-order dc-import dc-shop dc-feed dc-notify dc-export
LIB_SRC  = $(wildcard lib/*/*.c)
GEN_SRC  = build/gen/embedded.c
SQL      = $(sort $(wildcard schemas/sql/*.sql))
TPL      = $(sort $(wildcard schemas/templates/*.txt))
RULES    = $(sort $(wildcard schemas/rules/*.json))

# Two builds share the sources: build/rel (normal) and build/san (ASan+UBSan) for the tests.
SAN_FLAGS = -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all

all: $(addprefix build/rel/,$(COMMANDS))

$(GEN_SRC): scripts/embed $(SQL) $(TPL) $(RULES)
	@mkdir -p $(@D)
	scripts/embed $(SQL) $(TPL) $(RULES) > $@.tmp && mv $@.tmp $@

define variant
build/$(1)/lib/%.o: lib/%.c $(wildcard lib/*/*.h)
	@mkdir -p $$(@D)
	@echo "  CC ($(1)) $$<"
	@$$(CC) $$(ALL_CFLAGS) $(2) -c $$< -o $$@
build/$(1)/gen/embedded.o: $(GEN_SRC)
	@mkdir -p $$(@D)
	@$$(CC) $$(ALL_CFLAGS) $(2) -c $$< -o $$@
build/$(1)/libdc.a: $$(patsubst lib/%.c,build/$(1)/lib/%.o,$$(LIB_SRC)) build/$(1)/gen/embedded.o
	@rm -f $$@ && ar rcs $$@ $$^
build/$(1)/%: cmd/%.c build/$(1)/libdc.a
	@echo "  LD ($(1)) $$@"
	@$$(CC) $$(ALL_CFLAGS) $(2) $$< build/$(1)/libdc.a $$(PKG_LIBS) -o $$@
endef
$(eval $(call variant,rel,))
$(eval $(call variant,san,$(SAN_FLAGS)))

UNIT_SRC = $(wildcard tests/unit/test_*.c)
build/san/unit/%: tests/unit/%.c build/san/libdc.a
	@mkdir -p $(@D)
	@echo "  LD (san) $@"
	@$(CC) $(ALL_CFLAGS) $(SAN_FLAGS) $< build/san/libdc.a $(PKG_LIBS) -lcmocka -o $@

# Both first make sure the tools they run are there (bats, sqlite3, git, chromium, ...):
# scripts/install-deps is quiet and quick when everything is installed.
check: all $(addprefix build/san/,$(COMMANDS)) $(patsubst tests/unit/%.c,build/san/unit/%,$(UNIT_SRC))
	@scripts/install-deps
	tests/run

# Performance, side by side with the sqlite3 shell (tests/bench/run --help); about 15 minutes.
bench: all
	@scripts/install-deps
	tests/bench/run $(BENCH_ARGS)

demo: all
	@scripts/install-deps
	scripts/demo

install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man7 \
		$(DESTDIR)$(MANDIR)/man8 $(DESTDIR)$(COMPDIR) $(DESTDIR)$(ZCOMPDIR)
	install -m 755 $(addprefix build/rel/,$(COMMANDS)) scripts/cron/dc-cron $(DESTDIR)$(BINDIR)
	install -m 644 man/man1/*.1 $(DESTDIR)$(MANDIR)/man1
	install -m 644 man/man7/*.7 $(DESTDIR)$(MANDIR)/man7
	if ls man/man8/*.8 >/dev/null 2>&1; then install -m 644 man/man8/*.8 $(DESTDIR)$(MANDIR)/man8; fi
	install -m 644 completions/dc.bash $(DESTDIR)$(COMPDIR)/dc
	for c in $(COMMANDS); do ln -sf dc $(DESTDIR)$(COMPDIR)/$$c; done
	install -m 644 completions/_dc $(DESTDIR)$(ZCOMPDIR)/_dc

format:
	clang-format -i cmd/*.c lib/*/*.c lib/*/*.h tests/unit/*.c

clean:
	rm -rf build demo-out

.PHONY: all check bench demo install format clean
.SECONDARY:

# dcity — build, test, demo, install.  The layers and rules of the code: docs/architecture.md.
PREFIX  ?= /usr/local
DESTDIR ?=
BINDIR   = $(PREFIX)/bin
MANDIR   = $(PREFIX)/share/man
# Data the programs read at run time (the e-invoice XSDs); compiled into lib/einvoice.
DATADIR  = $(PREFIX)/share/dcity
COMPDIR  = $(PREFIX)/share/bash-completion/completions
ZCOMPDIR = $(PREFIX)/share/zsh/vendor-completions
# make install-system (dcity(7) SECURITY): the setgid commands read their database's path from
# DC_CONF, which is compiled in; the group owns DBDIR.
SYSCONFDIR ?= /etc
DC_CONF    ?= $(SYSCONFDIR)/dcity/dcity.conf
DBDIR      ?= /var/lib/dcity
DC_GROUP   ?= dcity

CC      ?= cc
PKGS     = sqlite3 json-c libcrypto libxml-2.0 libgit2 libqpdf zlib libzip libpq
DEPS_OK := $(shell pkg-config --exists $(PKGS) cmocka && test -f /usr/include/csv.h && echo yes)
ifneq ($(DEPS_OK),yes)
$(info dcity: dependencies missing, running scripts/install-deps)
$(shell scripts/install-deps >&2)
endif
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) | sed 's/-I/-isystem /g')
# libxml2, libgit2, libqpdf and libpq are not linked: lib/core/lazy.c loads each at its first
# use, by the SONAME of the library the build compiled against.
LAZY_PKGS   = libxml-2.0 libgit2 libqpdf libpq
soname      = $(shell objdump -p $(shell pkg-config --variable=libdir $(1))/$(2) 2>/dev/null | \
                sed -n 's/^ *SONAME *//p')
PKG_LIBS   := $(shell pkg-config --libs $(filter-out $(LAZY_PKGS),$(PKGS))) -lcsv -lm
XML2_SONAME := $(call soname,libxml-2.0,libxml2.so)
GIT2_SONAME := $(call soname,libgit2,libgit2.so)
QPDF_SONAME := $(call soname,libqpdf,libqpdf.so)
PQ_SONAME   := $(call soname,libpq,libpq.so)
# The release build links SQLite, json-c, libcsv and libcrypto statically where their archives
# exist: resolving their symbols at every start cost a clerk's `dc-case show` 1.8 ms of its
# 6.5 (perf, 1,000,000-case database; the sqlite3 shell's whole point query takes 3.7 ms).
# STATIC_LIBS= links everything dynamically.
STATIC_LIBS ?= sqlite3 json-c csv crypto
STATIC_A    := $(foreach l,$(STATIC_LIBS),$(wildcard $(shell $(CC) -print-file-name=lib$(l).a)))
comma       := ,
STATIC_LINK := -Wl$(comma)-Bstatic $(patsubst %,-l%,$(STATIC_LIBS)) -Wl$(comma)-Bdynamic \
               $(shell pkg-config --libs zlib libzip) -lm -ldl -lpthread
REL_LIBS    := $(if $(and $(STATIC_LIBS),$(filter $(words $(STATIC_LIBS)),$(words $(STATIC_A)))),$(STATIC_LINK),$(PKG_LIBS))
WARN     = -std=c11 -Wall -Wextra -Wpedantic -Werror -Wno-unused-parameter
CFLAGS  ?= -O2 -g
ALL_CFLAGS = $(WARN) -D_GNU_SOURCE -Ilib $(PKG_CFLAGS) $(CFLAGS)

COMMANDS = dc dc-case dc-assign dc-order dc-import dc-shop dc-feed dc-notify dc-export dc-archive \
           dc-subject dc-open311
FLOORS = $(patsubst tests/bench/floor/%.c,build/bench/%,$(wildcard tests/bench/floor/*.c))
LIB_SRC  = $(wildcard lib/*/*.c)
GEN_SRC  = build/gen/embedded.c
SQL      = $(sort $(wildcard schemas/sql/*.sql))
PGSQL    = $(sort $(wildcard schemas/pg/*.sql))
TPL      = $(sort $(wildcard schemas/templates/*.txt))
RULES    = $(sort $(wildcard schemas/rules/*.json))

# Two builds share the sources: build/rel (normal) and build/san (ASan+UBSan) for the tests.
SAN_FLAGS = -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all

all: $(addprefix build/rel/,$(COMMANDS))

$(GEN_SRC): scripts/embed $(SQL) $(PGSQL) $(TPL) $(RULES)
	@mkdir -p $(@D)
	scripts/embed $(SQL) $(PGSQL) $(TPL) $(RULES) > $@.tmp && mv $@.tmp $@

define variant
build/$(1)/lib/%.o: lib/%.c $(wildcard lib/*/*.h)
	@mkdir -p $$(@D)
	@echo "  CC ($(1)) $$<"
	@$$(CC) $$(ALL_CFLAGS) $(2) -c $$< -o $$@
build/$(1)/lib/core/priv.o: build/conf-path
build/$(1)/lib/core/priv.o: ALL_CFLAGS += -DDC_CONF_PATH='"$$(DC_CONF)"'
build/$(1)/lib/einvoice/schema.o: build/data-path
build/$(1)/lib/einvoice/schema.o: ALL_CFLAGS += -DDC_DATADIR='"$$(DATADIR)"'
build/$(1)/lib/einvoice/pdf.o: ALL_CFLAGS += -DDC_QPDF_SONAME='"$$(QPDF_SONAME)"'
build/$(1)/lib/core/xmllib.o: ALL_CFLAGS += -DDC_SONAME_XML2='"$$(XML2_SONAME)"'
build/$(1)/lib/core/gitlib.o: ALL_CFLAGS += -DDC_SONAME_GIT2='"$$(GIT2_SONAME)"'
build/$(1)/lib/core/pqlib.o: ALL_CFLAGS += -DDC_SONAME_PQ='"$$(PQ_SONAME)"'
build/$(1)/gen/embedded.o: $(GEN_SRC)
	@mkdir -p $$(@D)
	@$$(CC) $$(ALL_CFLAGS) $(2) -c $$< -o $$@
build/$(1)/libdc.a: $$(patsubst lib/%.c,build/$(1)/lib/%.o,$$(LIB_SRC)) build/$(1)/gen/embedded.o
	@rm -f $$@ && ar rcs $$@ $$^
build/$(1)/%: cmd/%.c build/$(1)/libdc.a
	@echo "  LD ($(1)) $$@"
	@$$(CC) $$(ALL_CFLAGS) $(2) $$< build/$(1)/libdc.a $(3) -o $$@
endef
# DC_CONF is compiled into priv.o: build/conf-path changes only when DC_CONF does, so that
# another SYSCONFDIR rebuilds priv.o and relinks, and nothing else; DATADIR into schema.o alike.
build/conf-path: FORCE
	@mkdir -p $(@D)
	@echo '$(DC_CONF)' | cmp -s - $@ || echo '$(DC_CONF)' > $@
build/data-path: FORCE
	@mkdir -p $(@D)
	@echo '$(DATADIR)' | cmp -s - $@ || echo '$(DATADIR)' > $@
FORCE:

$(eval $(call variant,rel,,$$(REL_LIBS)))
$(eval $(call variant,san,$(SAN_FLAGS),$$(PKG_LIBS)))

# Fuzzing (tests/fuzz): a third build of libdc with clang's coverage instrumentation for
# libFuzzer; `make fuzz` runs each harness FUZZ_TIME seconds.  The same harnesses are linked
# with tests/fuzz/replay.c against build/san (gcc) so that `make check` replays the seed corpus
# and the regression inputs without clang.
FUZZ        = records bmecat open311 holidays template einvoice
FUZZ_CC    ?= clang
FUZZ_TIME  ?= 60
# clang, unlike gcc, counts the tables' `{NULL}` end marks as missing field initializers.
FUZZ_FLAGS  = -O1 -g -fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer \
              -fno-sanitize-recover=all -Wno-missing-field-initializers
FUZZ_SRC    = tests/fuzz/common.c tests/fuzz/fuzz.h
build/fuzz/%: CC = $(FUZZ_CC)
$(eval $(call variant,fuzz,$(FUZZ_FLAGS),$$(PKG_LIBS)))
build/fuzz/bin/%: tests/fuzz/%.c $(FUZZ_SRC) build/fuzz/libdc.a
	@mkdir -p $(@D)
	@echo "  LD (fuzz) $@"
	@$(FUZZ_CC) $(ALL_CFLAGS) -Itests/fuzz $(FUZZ_FLAGS) -fsanitize=fuzzer $< tests/fuzz/common.c \
		build/fuzz/libdc.a $(PKG_LIBS) -o $@
build/san/fuzz/%: tests/fuzz/%.c tests/fuzz/replay.c $(FUZZ_SRC) build/san/libdc.a
	@mkdir -p $(@D)
	@echo "  LD (san) $@"
	@$(CC) $(ALL_CFLAGS) -Itests/fuzz $(SAN_FLAGS) $< tests/fuzz/common.c tests/fuzz/replay.c \
		build/san/libdc.a $(PKG_LIBS) -o $@

fuzz: $(addprefix build/fuzz/bin/,$(FUZZ))
	FUZZ_TIME=$(FUZZ_TIME) tests/fuzz/run $(FUZZ)

UNIT_SRC = $(wildcard tests/unit/test_*.c)
build/san/unit/%: tests/unit/%.c build/san/libdc.a
	@mkdir -p $(@D)
	@echo "  LD (san) $@"
	@$(CC) $(ALL_CFLAGS) $(SAN_FLAGS) $< build/san/libdc.a $(PKG_LIBS) -lcmocka -o $@

# The XRechnung test suite's invoices side by side, as links into tests/fixtures/einvoice/suite
# (kept with the suite's own folders): test_einvoice.c and tests/einvoice-expected read them
# by name.
SUITE_XML = $(shell find tests/fixtures/einvoice/suite -name '*.xml')
build/suite-invoices: $(SUITE_XML)
	@rm -rf $@ && mkdir -p $@
	@for f in $(SUITE_XML); do ln -s "$(CURDIR)/$$f" $@/; done
build/san/unit/test_einvoice: build/suite-invoices

# E-invoices, the full EN 16931 and XRechnung rule sets (docs/einvoice-validation.md): what
# scripts/einvoice-validate runs, in build/einvoice: the EN 16931 XSLT, the XRechnung Schematron
# compiled once with SchXslt (a few seconds each, with Saxon-HE), and the driver.  Installed
# under DATADIR/einvoice, the script under LIBEXECDIR.
DATADIR    ?= $(PREFIX)/share/dcity
LIBEXECDIR ?= $(PREFIX)/libexec/dcity
SAXON       = java -XX:TieredStopAtLevel=1 -cp /usr/share/java/Saxon-HE.jar net.sf.saxon.Transform
EINV        = schemas/einvoice
EINV_RULES  = $(addprefix build/einvoice/,validate.xsl EN16931-UBL-validation.xslt \
              EN16931-CII-validation.xslt XRechnung-UBL-validation.xsl XRechnung-CII-validation.xsl)
EINV_XSLT   = $(wildcard $(EINV)/schxslt/*.xsl $(EINV)/schxslt/compile/*.xsl)
einvoice: $(EINV_RULES)
build/einvoice/%.xslt: $(EINV)/en16931/%.xslt
	@mkdir -p $(@D)
	cp $< $@
build/einvoice/validate.xsl: $(EINV)/validate.xsl
	@mkdir -p $(@D)
	cp $< $@
build/einvoice/XRechnung-UBL-validation.xsl: $(EINV)/xrechnung/ubl/XRechnung-UBL-validation.sch
build/einvoice/XRechnung-CII-validation.xsl: $(EINV)/xrechnung/cii/XRechnung-CII-validation.sch
build/einvoice/XRechnung-%-validation.xsl: $(EINV)/xrechnung/common.sch $(EINV_XSLT)
	@scripts/install-deps
	@mkdir -p $(@D)
	@echo "  SCHXSLT $@"
	@$(SAXON) -s:$(filter %-validation.sch,$^) -xsl:$(EINV)/schxslt/pipeline-for-svrl.xsl \
		-o:$@.tmp && mv $@.tmp $@

# Every invoice of the XRechnung test suite (tests/fixtures/einvoice/suite) through both rule
# sets in one JVM, a line per file; fails on a fatal finding that
# tests/fixtures/einvoice/suite-fatal.tsv does not list, and on a listed one that is gone.
# make check runs a sample of it (tests/bats/einvoice-validate.bats).
check-einvoice-suite: $(EINV_RULES)
	@scripts/install-deps
	tests/einvoice-suite

# Both first make sure the tools they run are there (bats, sqlite3, git, chromium, ...):
# scripts/install-deps is quiet and quick when everything is installed.
DB ?= sqlite
check: all $(FLOORS) $(addprefix build/san/,$(COMMANDS)) \
	$(patsubst tests/unit/%.c,build/san/unit/%,$(UNIT_SRC)) \
	$(addprefix build/san/fuzz/,$(FUZZ)) $(EINV_RULES)
	@scripts/install-deps
	DB=$(DB) tests/run

# The PostgreSQL schema (schemas/pg/) against the SQLite one that dc init makes, on a throwaway
# cluster (docs/postgresql.md); tests/bats/pg-schema.bats runs it in make check too.
check-pg-schema: build/rel/dc
	@scripts/install-deps
	DC_BIN=$(CURDIR)/build/rel scripts/schema-drift

# Undefined behaviour found by the tests (issue 14): the ASan+UBSan build, its unit tests and
# a fast subset of the CLI tests (the readers, hostile input, privacy, bulk input and the fuzz
# seeds replayed), in a few minutes; any sanitizer report fails the run (-fno-sanitize-recover,
# and tests/bats/helper.bash makes a leak fail too).  CI runs it besides make check.
SAN_BATS ?= core hostile privacy keep-going fuzz-replay
SAN_UNIT  = $(patsubst tests/unit/%.c,build/san/unit/%,$(UNIT_SRC))
check-sanitize: $(addprefix build/san/,$(COMMANDS)) $(SAN_UNIT) \
	$(addprefix build/san/fuzz/,$(FUZZ)) $(EINV_RULES)
	@scripts/install-deps
	@set -e; for t in $(SAN_UNIT); do \
		echo "== $$t"; ASAN_OPTIONS=detect_leaks=1 $$t; done
	DC_BIN=$(CURDIR)/build/san bats $(addprefix tests/bats/,$(addsuffix .bats,$(SAN_BATS)))

# The access matrix (tests/access) with the sanitized binaries: make check runs it with the
# release ones, which take a sixth of the time.
check-access-sanitized: $(addprefix build/san/,$(COMMANDS))
	ACCESS_BIN=$(CURDIR)/build/san bats tests/bats/access.bats

# Every invoice of the XRechnung test suite booked against an order built from it (issue 17;
# 3.3 minutes with the sanitized binaries); make check books a sample (invoice-suite.bats).
check-einvoice-book: $(addprefix build/san/,$(COMMANDS))
	@scripts/install-deps
	tests/einvoice/book-suite --bin build/san

# The concurrency soak (issue 7) with the release binaries; a 20 s version runs in make check.
# DB=postgresql: on a throwaway cluster (tests/pg/cluster), stopped however the run ends.
SOAK_SECONDS ?= 300
SOAK_PROCS   ?= 8
SOAK_RUN      = tests/soak/run --seconds $(SOAK_SECONDS) --procs $(SOAK_PROCS)
soak: all
	@scripts/install-deps
	@if [ "$(DB)" = postgresql ]; then \
		dir=$$(mktemp -d /tmp/dc-soak-pg.XXXXXX) || exit 73; \
		trap 'tests/pg/cluster stop "$$dir"' EXIT; trap 'exit 130' INT TERM; \
		conn=$$(tests/pg/cluster start "$$dir") || exit 69; \
		echo "$(SOAK_RUN) --pg '$$conn'"; $(SOAK_RUN) --pg "$$conn"; \
	elif [ "$(DB)" = sqlite ] || [ -z "$(DB)" ]; then \
		echo "$(SOAK_RUN)"; $(SOAK_RUN); \
	else \
		echo "make soak: DB is sqlite or postgresql, not $(DB)" >&2; exit 64; \
	fi

# The engine's floors (tests/bench/floor/*.c): small programs that write the same rows as one
# dcity operation with prepared statements, linked with the release build's SQLite (and
# libdc.a, for dcity's search folding); make bench runs them, and bench.bats in make check.
build/bench/%: tests/bench/floor/%.c build/rel/libdc.a
	@mkdir -p $(@D)
	@echo "  LD (floor) $@"
	@$(CC) $(ALL_CFLAGS) $< build/rel/libdc.a $(REL_LIBS) -o $@

# Performance, side by side with the sqlite3 shell (tests/bench/run --help); about 15 minutes.
# DB=postgresql: then the same cities moved to a throwaway cluster, beside psql.
bench: all $(FLOORS)
	@scripts/install-deps
	tests/bench/run $(BENCH_ARGS) $(if $(filter postgresql,$(DB)),--pg start)

demo: all
	@scripts/install-deps
	DB=$(DB) scripts/demo

install: all $(EINV_RULES)
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man7 \
		$(DESTDIR)$(MANDIR)/man8 $(DESTDIR)$(COMPDIR) $(DESTDIR)$(ZCOMPDIR)
	install -m 755 $(addprefix build/rel/,$(COMMANDS)) scripts/cron/dc-cron $(DESTDIR)$(BINDIR)
	install -m 644 man/man1/*.1 $(DESTDIR)$(MANDIR)/man1
	install -m 644 man/man7/*.7 $(DESTDIR)$(MANDIR)/man7
	if ls man/man8/*.8 >/dev/null 2>&1; then install -m 644 man/man8/*.8 $(DESTDIR)$(MANDIR)/man8; fi
	install -m 644 completions/dc.bash $(DESTDIR)$(COMPDIR)/dc
	for c in $(filter-out dc dc-open311,$(COMMANDS)); do ln -sf dc $(DESTDIR)$(COMPDIR)/$$c; done
	install -m 644 completions/_dc $(DESTDIR)$(ZCOMPDIR)/_dc
	install -d $(DESTDIR)$(DATADIR)/einvoice $(DESTDIR)$(LIBEXECDIR)
	install -m 644 $(EINV_RULES) $(DESTDIR)$(DATADIR)/einvoice
	install -m 644 $(EINV)/en16931/LICENSE.txt $(DESTDIR)$(DATADIR)/einvoice/LICENSE.EN16931.txt
	install -m 644 $(EINV)/xrechnung/LICENSE $(DESTDIR)$(DATADIR)/einvoice/LICENSE.XRechnung
	install -m 644 $(EINV)/schxslt/LICENSE $(DESTDIR)$(DATADIR)/einvoice/LICENSE.SchXslt
	sed 's|^DATADIR=.*|DATADIR=$(DATADIR)|' scripts/einvoice-validate \
		> $(DESTDIR)$(LIBEXECDIR)/einvoice-validate.tmp
	chmod 755 $(DESTDIR)$(LIBEXECDIR)/einvoice-validate.tmp
	mv $(DESTDIR)$(LIBEXECDIR)/einvoice-validate.tmp $(DESTDIR)$(LIBEXECDIR)/einvoice-validate
	cd schemas && find xsd -type d -exec install -d $(DESTDIR)$(DATADIR)/{} \; && \
		find xsd -type f -exec install -m 644 {} $(DESTDIR)$(DATADIR)/{} \;

# The hardened install, as root: group DC_GROUP, the commands setgid to it (dc-cron is not: it
# is a script, and what it runs gets the group from the commands themselves), DBDIR
# root:DC_GROUP 2770, DC_CONF (kept if it exists) naming the database, and with no DESTDIR
# the database itself, created 0660.  See dcity(7) SECURITY.
install-system: install
	getent group $(DC_GROUP) >/dev/null || groupadd --system $(DC_GROUP)
	cd $(DESTDIR)$(BINDIR) && chgrp $(DC_GROUP) $(COMMANDS) && chmod 2755 $(COMMANDS)
	install -d -m 2770 -o root -g $(DC_GROUP) $(DESTDIR)$(DBDIR)
	install -d -m 755 $(DESTDIR)$(dir $(DC_CONF))
	if [ ! -e $(DESTDIR)$(DC_CONF) ]; then \
		printf '# dcity: the setgid commands take their database from here (dcity(7))\ndb = %s\n' \
			'$(DBDIR)/city.db' > $(DESTDIR)$(DC_CONF).tmp && \
		chmod 644 $(DESTDIR)$(DC_CONF).tmp && mv $(DESTDIR)$(DC_CONF).tmp $(DESTDIR)$(DC_CONF); \
	fi
	if [ -z "$(DESTDIR)" ]; then $(BINDIR)/dc init; fi

format:
	clang-format -i cmd/*.c lib/*/*.c lib/*/*.h tests/unit/*.c

clean:
	rm -rf build demo-out

.PHONY: all check check-sanitize check-access-sanitized check-einvoice-suite check-einvoice-book \
	check-pg-schema \
	einvoice soak bench demo install install-system format clean fuzz FORCE
.SECONDARY:

# faultline — top-level build. Out of tree into build/ (or build/san-*/ with SANITIZE=).
#
#   make                 build faultline and the fl-* programs into build/bin/
#   make test            install deps, build, run unit and integration tests
#                        (integration: JOBS=N tests at once, default 2 per CPU)
#   make demo            install deps, build, run the bundled scenarios
#   make fuzz            run every fuzz target FUZZ_SECONDS (60) each
#   make bench           benchmarks, results in BENCHMARKS.md
#   make vm-image        guest kernel + initramfs for qemu nodes (KERNEL=RELEASE: another,
#                        kept beside the default one)
#   make SANITIZE=address,undefined test
#   make install PREFIX=/usr/local
#
# Sources are picked up by folder: common/*.c (what faultline and the fl-* programs
# share) form libcommon.a, harness/<module>/*.c form libfaultline.a (cli/faultline.c is
# the CLI's main), lb/*.c form liblb.a (lb/fl_<prog>.c is the main of fl-<prog>), and
# every tests/unit/test_<module>.c registers register_<module>_suite().

comma := ,
BUILD ?= build
HARNESS_INC := $(patsubst %/,-I%,$(wildcard harness/*/))
ifneq ($(SANITIZE),)
BUILD := build/san-$(subst $(comma),-,$(SANITIZE))
SANFLAGS := -fsanitize=$(SANITIZE) -fno-omit-frame-pointer -fno-sanitize-recover=all
endif

PREFIX ?= /usr/local
CC ?= cc
PKG_CONFIG ?= pkg-config
VERSION := $(shell cat VERSION 2>/dev/null || echo 0.0.0)

WARN := -Wall -Wextra -Werror -Wstrict-prototypes -Wmissing-prototypes -Wshadow \
	-Wformat=2 -Wno-format-nonliteral
CFLAGS ?= -O2 -g
ALL_CFLAGS := -std=c11 -D_GNU_SOURCE $(WARN) $(CFLAGS) $(SANFLAGS) -MMD -MP \
	-DFL_VERSION='"$(VERSION)"' -Icommon
ALL_LDFLAGS := $(LDFLAGS) $(SANFLAGS)

HARNESS_LIBS := $(shell $(PKG_CONFIG) --libs libnftnl libmnl jansson 2>/dev/null)
HARNESS_CFLAGS := $(shell $(PKG_CONFIG) --cflags libnftnl libmnl jansson 2>/dev/null)
LB_LIBS := $(shell $(PKG_CONFIG) --libs jansson 2>/dev/null) -lm
CUNIT_LIBS := $(shell $(PKG_CONFIG) --libs cunit 2>/dev/null || echo -lcunit)

ifeq ($(V),1)
Q :=
say :=
else
Q := @
say = @printf '  %-6s %s\n' $(1) $(2);
endif

COMMON_SRC := $(wildcard common/*.c)
HARNESS_SRC := $(filter-out harness/cli/faultline.c,$(wildcard harness/*/*.c))
LB_SRC := $(filter-out lb/fl_%.c,$(wildcard lb/*.c))
LB_MAINS := $(wildcard lb/fl_*.c)
LB_BINS := $(patsubst lb/fl_%.c,$(BUILD)/bin/fl-%,$(LB_MAINS))
UNIT_SRC := $(wildcard tests/unit/*.c)
UNIT_SUITES := $(patsubst tests/unit/test_%.c,%,$(wildcard tests/unit/test_*.c))

obj = $(patsubst %.c,$(BUILD)/obj/%.o,$(1))

BINS := $(BUILD)/bin/faultline $(LB_BINS)

.PHONY: all deps test unit integration demo bench vm-image install clean format \
	format-check fuzz fuzz-build fuzz-check
all: $(BINS)

$(BUILD)/obj/harness/%.o: harness/%.c
	$(call say,CC,$<)
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(ALL_CFLAGS) $(HARNESS_INC) $(HARNESS_CFLAGS) -c -o $@ $<

# common/ builds from itself, lb/ from common/ and itself; the unit tests reach into
# every module.
$(BUILD)/obj/common/%.o: common/%.c
	$(call say,CC,$<)
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(BUILD)/obj/lb/%.o: lb/%.c
	$(call say,CC,$<)
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(ALL_CFLAGS) -Ilb -c -o $@ $<

$(BUILD)/obj/%.o: %.c
	$(call say,CC,$<)
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(ALL_CFLAGS) $(HARNESS_INC) -Ilb -I$(BUILD)/gen -c -o $@ $<

$(BUILD)/libfaultline.a: $(call obj,$(HARNESS_SRC))
	$(call say,AR,$@)
	$(Q)rm -f $@ && ar rcs $@ $^

$(BUILD)/libcommon.a: $(call obj,$(COMMON_SRC))
	$(call say,AR,$@)
	$(Q)rm -f $@ && ar rcs $@ $^

$(BUILD)/liblb.a: $(call obj,$(LB_SRC))
	$(call say,AR,$@)
	$(Q)rm -f $@ && ar rcs $@ $^

$(BUILD)/bin/faultline: $(call obj,harness/cli/faultline.c) $(BUILD)/libfaultline.a $(BUILD)/libcommon.a
	$(call say,LD,$@)
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(HARNESS_LIBS) $(LB_LIBS)

$(BUILD)/bin/fl-%: $(BUILD)/obj/lb/fl_%.o $(BUILD)/liblb.a $(BUILD)/libcommon.a
	$(call say,LD,$@)
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LB_LIBS)

# The suite list is generated from the file names, so adding a test file needs no edit
# anywhere else.
$(BUILD)/gen/suites.h: $(wildcard tests/unit/test_*.c) Makefile
	@mkdir -p $(dir $@)
	$(Q)printf '%s\n' $(foreach s,$(UNIT_SUITES),'SUITE($(s))') > $@.tmp && mv $@.tmp $@

$(call obj,tests/unit/main.c): $(BUILD)/gen/suites.h

$(BUILD)/bin/unit-tests: $(call obj,$(UNIT_SRC)) $(BUILD)/libfaultline.a $(BUILD)/liblb.a \
		$(BUILD)/libcommon.a
	$(call say,LD,$@)
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(HARNESS_LIBS) $(LB_LIBS) $(CUNIT_LIBS)

deps:
	@scripts/install-deps

unit: $(BUILD)/bin/unit-tests
	$(BUILD)/bin/unit-tests

# Integration tests side by side, JOBS slots (tests/integration/run -j: a test takes one
# slot, or as many as its "# runner: weight W" / "exclusive" line says); 2 per CPU.
JOBS ?= $(shell echo $$(( $$(nproc 2>/dev/null || echo 1) * 2 )))
integration: $(BINS)
	@FL_BUILD=$(BUILD) tests/integration/run -j $(JOBS) $(T)

# The guest image is built when it can be; without it the guest tests say "skipped".
test: deps
	@$(MAKE) --no-print-directory all $(BUILD)/bin/unit-tests
	@$(MAKE) --no-print-directory vm-image || echo "test: no guest image; guest tests will be skipped"
	@$(MAKE) --no-print-directory unit fuzz-check integration

demo: deps
	@$(MAKE) --no-print-directory all
	@$(MAKE) --no-print-directory vm-image || echo "demo: no guest image; guest scenarios will be skipped"
	@FL_BUILD=$(BUILD) scripts/demo

bench: deps
	@scripts/install-deps --bench
	@$(MAKE) --no-print-directory all
	@FL_BUILD=$(BUILD) scripts/bench

vm-image: $(LB_BINS)
	@FL_BUILD=$(BUILD) KERNEL="$(KERNEL)" vm-images/build

install: $(BINS)
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/faultline/scenarios \
		$(DESTDIR)$(PREFIX)/share/doc/faultline
	install -m 755 $(BINS) $(DESTDIR)$(PREFIX)/bin/
	cp -R scenarios/. $(DESTDIR)$(PREFIX)/share/faultline/scenarios/
	install -m 644 README.md docs/*.md $(DESTDIR)$(PREFIX)/share/doc/faultline/

format:
	clang-format -i common/*.[ch] harness/*/*.[ch] lb/*.[ch] tests/unit/*.[ch] \
		tests/fuzz/*.[ch]

format-check:
	clang-format --dry-run -Werror common/*.[ch] harness/*/*.[ch] lb/*.[ch] tests/unit/*.[ch] \
		tests/fuzz/*.[ch]

clean:
	rm -rf build

-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)

# Fuzzing (clang + libFuzzer): each tests/fuzz/fuzz_<t>.c is a target, its seed corpus
# tests/fuzz/<t>/. The sources are built again with clang, ASan and UBSan into
# $(BUILD)/fuzz/. make fuzz [FUZZ_SECONDS=60] [FUZZ_TARGETS="scn qmp"] runs each target
# that long on a copy of its corpus in $(BUILD)/fuzz/corpus-<t>/ (what it finds stays
# there; crashes go to $(BUILD)/fuzz/<t>-crash-*). make fuzz-check (in make test) runs
# each on its seeds and FUZZ_CHECK_RUNS mutations, built at -O0 (twice as fast to
# compile) into $(BUILD)/fuzz-check/.
FUZZ_CC ?= clang
FUZZ_SECONDS ?= 60
FUZZ_CHECK_RUNS ?= 2000
FUZZ_OPT ?= -O1
FUZZ_ALL := $(patsubst tests/fuzz/fuzz_%.c,%,$(wildcard tests/fuzz/fuzz_*.c))
FUZZ_TARGETS ?= $(FUZZ_ALL)
FUZZ_DIR := $(BUILD)/fuzz
FUZZ_CFLAGS := -std=c11 -D_GNU_SOURCE -g $(FUZZ_OPT) -fno-omit-frame-pointer \
	-fsanitize=address,undefined -fno-sanitize-recover=all -MMD -MP \
	-DFL_VERSION='"$(VERSION)"' -Icommon $(HARNESS_INC) -Ilb $(HARNESS_CFLAGS)
fuzz_obj = $(patsubst %.c,$(FUZZ_DIR)/obj/%.o,$(1))
FUZZ_LIBS := $(FUZZ_DIR)/libfaultline.a $(FUZZ_DIR)/liblb.a $(FUZZ_DIR)/libcommon.a
FUZZ_RUN = ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1

$(FUZZ_DIR)/obj/%.o: %.c
	$(call say,FUZZCC,$<)
	@mkdir -p $(dir $@)
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -c -o $@ $<

$(FUZZ_DIR)/libfaultline.a: $(call fuzz_obj,$(HARNESS_SRC))
$(FUZZ_DIR)/liblb.a: $(call fuzz_obj,$(LB_SRC))
$(FUZZ_DIR)/libcommon.a: $(call fuzz_obj,$(COMMON_SRC))
$(FUZZ_LIBS):
	$(Q)rm -f $@ && ar rcs $@ $^

$(FUZZ_DIR)/fuzz_%: $(FUZZ_DIR)/obj/tests/fuzz/fuzz_%.o $(FUZZ_LIBS)
	$(call say,FUZZLD,$@)
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer -o $@ $^ $(HARNESS_LIBS) $(LB_LIBS)

.PRECIOUS: $(FUZZ_DIR)/obj/%.o
fuzz-build: $(patsubst %,$(FUZZ_DIR)/fuzz_%,$(FUZZ_TARGETS))

fuzz: fuzz-build
	@for t in $(FUZZ_TARGETS); do \
		mkdir -p $(FUZZ_DIR)/corpus-$$t && cp tests/fuzz/$$t/* $(FUZZ_DIR)/corpus-$$t/ && \
		echo "fuzz: $$t for $(FUZZ_SECONDS) s" && \
		$(FUZZ_RUN) $(FUZZ_DIR)/fuzz_$$t -max_total_time=$(FUZZ_SECONDS) -timeout=10 \
			-rss_limit_mb=1024 -print_final_stats=1 -artifact_prefix=$(FUZZ_DIR)/$$t- \
			$(FUZZ_DIR)/corpus-$$t > $(FUZZ_DIR)/fuzz-$$t.log 2>&1; rc=$$?; \
		grep -E '^#[0-9]+[[:space:]]+DONE|^stat::(number_of_executed_units|average_exec_per_sec)|^(==|SUMMARY)' \
			$(FUZZ_DIR)/fuzz-$$t.log; \
		[ $$rc = 0 ] || { tail -40 $(FUZZ_DIR)/fuzz-$$t.log; exit 1; }; \
	done

# Seeds plus FUZZ_CHECK_RUNS mutations per target, in a scratch corpus.
FUZZ_CHECK_DIR := $(BUILD)/fuzz-check
fuzz-check:
	@if ! command -v $(FUZZ_CC) >/dev/null || ! echo 'int LLVMFuzzerTestOneInput(const char *d, long n) { return 0; }' \
		| $(FUZZ_CC) -x c -fsanitize=fuzzer -o /dev/null - 2>/dev/null; then \
		echo "fuzz-check: skipped: clang with libFuzzer not installed"; exit 0; fi; \
	$(MAKE) --no-print-directory -j$$(nproc) fuzz-build FUZZ_DIR=$(FUZZ_CHECK_DIR) FUZZ_OPT=-O0 && \
	for t in $(FUZZ_TARGETS); do \
		d=$(FUZZ_CHECK_DIR)/corpus-$$t; rm -rf $$d && mkdir -p $$d && \
		$(FUZZ_RUN) $(FUZZ_CHECK_DIR)/fuzz_$$t -runs=$(FUZZ_CHECK_RUNS) -timeout=5 \
			-rss_limit_mb=1024 -artifact_prefix=$(FUZZ_CHECK_DIR)/$$t- \
			$$d tests/fuzz/$$t > $$d.log 2>&1 || \
			{ tail -40 $$d.log; echo "fuzz-check: $$t FAILED (input in $(FUZZ_CHECK_DIR)/)"; exit 1; }; \
		echo "fuzz-check: $$t ok ($$(grep -o 'Done [0-9]* runs in [0-9]* second' $$d.log))"; \
	done

-include $(shell find $(FUZZ_DIR)/obj -name '*.d' 2>/dev/null)

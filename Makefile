# faultline — top-level build. Out of tree into build/ (or build/san-*/ with SANITIZE=).
#
#   make                 build faultline and the fl-* programs into build/bin/
#   make test            install deps, build, run unit and integration tests
#   make demo            install deps, build, run the bundled scenarios
#   make bench           benchmarks, results in BENCHMARKS.md
#   make vm-image        guest kernel + initramfs for qemu nodes
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
	format-check fuzz
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

integration: $(BINS)
	@FL_BUILD=$(BUILD) tests/integration/run $(T)

# The guest image is built when it can be; without it the guest tests say "skipped".
test: deps
	@$(MAKE) --no-print-directory all $(BUILD)/bin/unit-tests
	@$(MAKE) --no-print-directory vm-image || echo "test: no guest image; guest tests will be skipped"
	@$(MAKE) --no-print-directory unit integration

demo: deps
	@$(MAKE) --no-print-directory all
	@$(MAKE) --no-print-directory vm-image || echo "demo: no guest image; guest scenarios will be skipped"
	@FL_BUILD=$(BUILD) scripts/demo

bench: deps
	@scripts/install-deps --bench
	@$(MAKE) --no-print-directory all
	@FL_BUILD=$(BUILD) scripts/bench

vm-image: $(LB_BINS)
	@FL_BUILD=$(BUILD) vm-images/build

install: $(BINS)
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/faultline/scenarios \
		$(DESTDIR)$(PREFIX)/share/doc/faultline
	install -m 755 $(BINS) $(DESTDIR)$(PREFIX)/bin/
	cp -R scenarios/. $(DESTDIR)$(PREFIX)/share/faultline/scenarios/
	install -m 644 README.md docs/*.md $(DESTDIR)$(PREFIX)/share/doc/faultline/

format:
	clang-format -i common/*.[ch] harness/*/*.[ch] lb/*.[ch] tests/unit/*.[ch]

format-check:
	clang-format --dry-run -Werror common/*.[ch] harness/*/*.[ch] lb/*.[ch] tests/unit/*.[ch]

clean:
	rm -rf build

-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)

# Fuzzing (clang + libFuzzer): make fuzz [FUZZ_SECONDS=60]. The corpus lives in build/.
FUZZ_CC ?= clang
FUZZ_SECONDS ?= 60
$(BUILD)/fuzz/fuzz_vrrp: tests/fuzz/fuzz_vrrp.c common/vrrp_pkt.c common/vrrp_pkt.h
	$(call say,FUZZ,$@)
	@mkdir -p $(dir $@) $(BUILD)/fuzz/corpus-vrrp
	$(Q)$(FUZZ_CC) -std=c11 -D_GNU_SOURCE -g -O1 -Icommon \
		-fsanitize=fuzzer,address,undefined -o $@ tests/fuzz/fuzz_vrrp.c common/vrrp_pkt.c

fuzz: $(BUILD)/fuzz/fuzz_vrrp
	@cp tests/fuzz/seeds/* $(BUILD)/fuzz/corpus-vrrp/
	$(BUILD)/fuzz/fuzz_vrrp -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 \
		-artifact_prefix=$(BUILD)/fuzz/ \
		$(BUILD)/fuzz/corpus-vrrp

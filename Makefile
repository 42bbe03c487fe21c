# iommusim: the two set-up commands are `make demo` and `make test`.
# Everything else is meson + ninja underneath.

BUILD      ?= build
ASAN_BUILD ?= build-asan
MESON      ?= meson
NINJA      ?= ninja

.PHONY: all deps demo test test-fast bench conformance clean

all: $(BUILD)/build.ninja
	$(NINJA) -C $(BUILD)

deps:
	@scripts/install-deps

$(BUILD)/build.ninja: | deps
	$(MESON) setup $(BUILD) --buildtype=debugoptimized

$(ASAN_BUILD)/build.ninja: | deps
	$(MESON) setup $(ASAN_BUILD) --buildtype=debug \
		-Db_sanitize=address,undefined -Db_lundef=false

# Build, then tell the attach contract's story on the default platform.
demo: all
	./$(BUILD)/iommusim demo

# Every suite, once normally and once under AddressSanitizer + UBSan.  The
# last line is "N passed, N failed" over all of them.
test: $(BUILD)/build.ninja $(ASAN_BUILD)/build.ninja
	@status=0; \
	$(NINJA) -C $(BUILD) || status=1; \
	$(NINJA) -C $(ASAN_BUILD) || status=1; \
	if [ $$status = 0 ]; then \
		$(MESON) test -C $(BUILD) --print-errorlogs || status=1; \
		ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
		UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
		$(MESON) test -C $(ASAN_BUILD) --print-errorlogs || status=1; \
	fi; \
	scripts/test-summary $(BUILD) $(ASAN_BUILD) || status=1; \
	exit $$status

test-fast: all
	$(MESON) test -C $(BUILD) --print-errorlogs

bench: $(BUILD)/build.ninja
	$(MESON) configure $(BUILD) --buildtype=release -Dlock_debug=false >/dev/null
	$(NINJA) -C $(BUILD)
	scripts/run-bench $(BUILD)
	$(MESON) configure $(BUILD) --buildtype=debugoptimized -Dlock_debug=true >/dev/null

# The kernel's own iommufd selftests (iommufd, iommufd_fail_nth) run under
# `iommusim exec --iommufd-test`, written up in docs/conformance.md.  Not
# part of `make test`: the tool downloads Debian's kernel source (170 MB)
# into its cache the first time and builds the suite there.
KSELFTESTS ?= ../shared/tools/kernel-selftests

conformance: all
	scripts/conformance --tool $(KSELFTESTS) --build $(BUILD) --out docs/conformance.md

clean:
	rm -rf $(BUILD) $(ASAN_BUILD)

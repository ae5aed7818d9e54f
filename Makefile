# maptrace - build, test and install.
#
#   make            build ./maptrace (BPF objects, skeletons, user space)
#   make demo       install missing packages, build, run maptrace on the demo workload
#   make test       install missing packages, build, run unit + integration tests
#   make unit       cmocka unit tests under ASan/UBSan (no root needed)
#   make integration  tests that load the real BPF programs (root)
#   make bpf-tests  the BPF programs loaded in-process, asserted field by field (root)
#   make soak       verify -a over mixed churn, SOAK_SECONDS (default 1800) (root)
#   make test-kernels  boot Debian kernels under qemu and run maptrace in each (root;
#                   KERNELS="5.10 6.1 6.12 sid" ARCHES="amd64 arm64" select a subset)
#   make min-btf    .output/maptrace.min.btf: the BTF maptrace needs, for --btf FILE
#   make static     ./maptrace (ARCH=arm64: .output/arm64/maptrace) with every library
#                   linked in: one file to copy to a board with no shared library
#   make man        man pages and bash/zsh completions, generated from the --help
#                   texts of the built binary (.output/man, .output/completions)
#   make install    PREFIX=/usr/local DESTDIR=: the binary, its man pages and
#                   completions; make uninstall removes them
#   make vmlinux    regenerate vmlinux/vmlinux_$(ARCH).h from the running kernel's BTF,
#                   or from KERNEL_IMAGE=/boot/vmlinuz-... or VMLINUX_BTF=FILE (any ARCH)
#   make deps       install the packages the build needs (root)
#   V=1             show full commands
#
# Cross-building (x86 and arm64): ARCH=arm64 on an amd64 machine builds
# .output/arm64/maptrace with Debian's aarch64-linux-gnu toolchain and the
# arm64 (multiarch) libraries; `make ARCH=arm64 deps` installs them.
# Everything cross-built lives in .output/$(ARCH): ./maptrace stays native.
#   make ARCH=arm64 unit   the unit tests, run under qemu-aarch64-static
#   make ARCH=arm64 workloads  the test workloads, for the kernel matrix

HOST_ARCH := $(shell uname -m | sed -e 's/x86_64/x86/' -e 's/aarch64/arm64/' -e 's/ppc64le/powerpc/' -e 's/riscv64/riscv/' -e 's/s390x/s390/')
ARCH := $(HOST_ARCH)
# the kernel's names for the architectures, and uname's
override ARCH := $(patsubst x86_64,x86,$(patsubst aarch64,arm64,$(ARCH)))
SUPPORTED_ARCHS := x86 arm64
ifeq ($(filter $(ARCH),$(SUPPORTED_ARCHS)),)
$(error maptrace builds for ARCH=x86 or ARCH=arm64, not ARCH=$(ARCH))
endif
TRIPLET_x86   := x86_64-linux-gnu
TRIPLET_arm64 := aarch64-linux-gnu
STRIP_x86     := x86_64-linux-gnu-strip
STRIP_arm64   := aarch64-linux-gnu-strip
QEMU_x86      := qemu-x86_64-static
QEMU_arm64    := qemu-aarch64-static

OUTPUT   := .output
CLANG    ?= $(shell command -v clang-19 || command -v clang)
BPFTOOL  ?= $(shell command -v bpftool || echo /usr/sbin/bpftool)
CC       ?= cc
PKG_CONFIG ?= pkg-config
PREFIX   ?= /usr/local
DESTDIR  ?=

ifneq ($(ARCH),$(HOST_ARCH))
CROSS := 1
# clang, not Debian's gcc-aarch64-linux-gnu: that conflicts with
# gcc-multilib (the native set, for the ia32 test) and apt removes one to
# install the other. clang needs only the target's binutils and crt files.
# CC from the environment is the machine's own compiler: only a CC on the
# command line (CC=aarch64-linux-gnu-gcc) replaces the cross one.
ifneq ($(origin CC),command line)
CC := $(CLANG) --target=$(TRIPLET_$(ARCH))
# clang warns where gcc does not about two deliberate styles of the
# sources: tables that name their leading fields only, and long string
# literals split over lines in arrays
CROSS_WARN := -Wno-missing-field-initializers -Wno-string-concatenation
endif
# Debian's multiarch libraries of the target, not the build machine's
ifneq ($(origin PKG_CONFIG),command line)
PKG_CONFIG := PKG_CONFIG_LIBDIR=/usr/lib/$(TRIPLET_$(ARCH))/pkgconfig:/usr/share/pkgconfig pkg-config
endif
# the unit tests run under qemu-user (binfmt_misc may not be set up)
UNIT_RUNNER ?= $(QEMU_$(ARCH)) -L /usr/$(TRIPLET_$(ARCH))
OUTPUT := .output/$(ARCH)
NATIVE_ONLY := demo test integration soak bench fuzz fuzz-short test-kernels
ifneq ($(filter $(NATIVE_ONLY),$(MAKECMDGOALS)),)
$(error make $(filter $(NATIVE_ONLY),$(MAKECMDGOALS)) runs on the machine it traces, not with ARCH=$(ARCH) on $(HOST_ARCH): copy $(OUTPUT)/maptrace there, or run the kernel matrix)
endif
endif
VMLINUX := vmlinux/vmlinux_$(ARCH).h

LIBS_PC   := libbpf libelf libdw zlib
# recursive (=): evaluated when used, after `make deps` may have installed them
PC_CFLAGS  = $(shell $(PKG_CONFIG) --cflags $(LIBS_PC) 2>/dev/null)
# libiberty (the demangler) has no .pc file: libiberty-dev ships only
# a static archive, built position-independent
PC_LIBS    = $(shell $(PKG_CONFIG) --libs $(LIBS_PC) 2>/dev/null) -liberty
# Debian's -dev packages ship the static archives too (libbpf.a, libelf.a,
# libdw.a, libz.a and what libdw needs: liblzma.a, libbz2.a)
PC_STATIC_LIBS = $(shell $(PKG_CONFIG) --static --libs $(LIBS_PC) 2>/dev/null) -liberty

WARN     := -Wall -Wextra -Werror -Wformat=2 -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wno-unused-parameter
CFLAGS   ?= -O2 -g
override CFLAGS += -std=gnu11 $(WARN) $(CROSS_WARN) -D_GNU_SOURCE -Iinclude -Iuser -I$(OUTPUT)
BPF_CFLAGS := -g -O2 -target bpf -D__TARGET_ARCH_$(ARCH) -Wall -Werror -Iinclude -Ivmlinux -I$(OUTPUT)
SAN      := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
ifneq ($(CROSS),)
# under qemu-user, ASan's shadow reservations are slow and LeakSanitizer
# cannot run; UBSan traps (no runtime library for the target needed)
SAN      := -fsanitize=undefined -fsanitize-trap=all -fno-omit-frame-pointer
endif

ifeq ($(V),1)
Q =
msg =
else
Q = @
msg = @printf '  %-8s %s\n' "$(1)" "$(2)";
endif

.DELETE_ON_ERROR:
.PHONY: all clean demo test unit integration deps install uninstall man vmlinux workloads static

# the binary: ./maptrace natively; a cross build's stays in its .output/$(ARCH)
ifeq ($(CROSS),)
MAPTRACE := maptrace
else
MAPTRACE := $(OUTPUT)/maptrace
endif

BPF_SRCS   := $(wildcard bpf/*.bpf.c)
BPF_OBJS   := $(patsubst bpf/%.bpf.c,$(OUTPUT)/%.bpf.o,$(BPF_SRCS))
SKELS      := $(patsubst bpf/%.bpf.c,$(OUTPUT)/%.skel.h,$(BPF_SRCS))
# kept: deleted as intermediates, the next make would build them again
.SECONDARY: $(BPF_OBJS) $(SKELS)

# user/ by layer, each using only the ones before it (tests/layers.sh checks
# the includes): base utilities, the core model (events, shadows, the
# registry), /proc and ELF readers, analyses, output, what the kernel
# offers; then the tracer (libbpf) and the commands. The layers up to
# kernel/ call no libbpf: built once into $(LIB), the library the binary,
# the unit tests (sanitized: $(SAN_LIB)), the fuzzers and the benchmark link.
LIB_LAYERS := base core proc analyze out kernel
APP_LAYERS := trace cmd
LIB_SRCS   := $(foreach l,$(LIB_LAYERS),$(wildcard user/$(l)/*.c))
APP_SRCS   := $(foreach l,$(APP_LAYERS),$(wildcard user/$(l)/*.c))
LIB_OBJS   := $(patsubst user/%.c,$(OUTPUT)/user/%.o,$(LIB_SRCS))
APP_OBJS   := $(patsubst user/%.c,$(OUTPUT)/user/%.o,$(APP_SRCS))
SAN_OBJS   := $(patsubst user/%.c,$(OUTPUT)/san/%.o,$(LIB_SRCS))
LIB        := $(OUTPUT)/libmaptrace.a
SAN_LIB    := $(OUTPUT)/libmaptrace-san.a
# keep the objects between runs (they are not intermediate)
.SECONDARY: $(LIB_OBJS) $(APP_OBJS) $(SAN_OBJS)

UNIT_SRCS  := $(wildcard tests/unit/test_*.c)
UNIT_BINS  := $(patsubst tests/unit/%.c,$(OUTPUT)/unit/%,$(UNIT_SRCS))
# lib*.c are shared libraries the workloads dlopen()
WORK_LIBS  := $(patsubst tests/workloads/%.c,$(OUTPUT)/workloads/%.so,$(wildcard tests/workloads/lib*.c))
WORK_SRCS  := $(filter-out tests/workloads/lib%.c,$(wildcard tests/workloads/*.c))
WORK_BINS  := $(patsubst tests/workloads/%.c,$(OUTPUT)/workloads/%,$(WORK_SRCS))

# (a cross build makes its man pages when asked: make ARCH=arm64 man runs
# the binary under qemu-user)
all: $(MAPTRACE) $(if $(CROSS),,man)

ifneq ($(CROSS),)
# checked when first needed, so that `make ARCH=arm64 deps all` works
CROSS_TOOLS := cross-tools
.PHONY: cross-tools
cross-tools:
	@command -v $(firstword $(CC)) >/dev/null && $(PKG_CONFIG) --exists $(LIBS_PC) || \
	{ echo "make ARCH=$(ARCH): $(firstword $(CC)) or the $(ARCH) libraries ($(LIBS_PC)) are missing: run 'make ARCH=$(ARCH) deps' as root" >&2; exit 2; }
endif

$(OUTPUT) $(OUTPUT)/unit $(OUTPUT)/workloads:
	$(Q)mkdir -p $@

# committed; without one for ARCH, say how to make it (else make only
# reports that it cannot build the first user object)
$(VMLINUX):
	@echo "$(VMLINUX) is missing: generate it with 'make vmlinux ARCH=$(ARCH)' (see vmlinux/README.md)" >&2; exit 2

$(OUTPUT)/%.bpf.o: bpf/%.bpf.c $(VMLINUX) | $(OUTPUT)
	$(call msg,BPF,$@)
	$(Q)$(CLANG) $(BPF_CFLAGS) -MMD -MP -c $< -o $@

$(OUTPUT)/%.skel.h: $(OUTPUT)/%.bpf.o
	$(call msg,GEN-SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name $(subst -,_,$*)_bpf > $@

# A text file as one C string literal, line by line
EMBED = sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' -e 's/^/"/' -e 's/$$/\\n"/' $< >$@

# The built-in signature table (analyze/signatures.c)
$(OUTPUT)/signatures.inc: user/analyze/signatures.rules | $(OUTPUT)
	$(call msg,GEN,$@)
	$(Q)$(EMBED)
$(OUTPUT)/user/analyze/signatures.o $(OUTPUT)/san/analyze/signatures.o: $(OUTPUT)/signatures.inc

# The HTML report's script and style, inlined in every report (out/report.c)
$(OUTPUT)/report.%.inc: user/out/report/report.% | $(OUTPUT)
	$(call msg,GEN,$@)
	$(Q)$(EMBED)
$(OUTPUT)/user/out/report.o $(OUTPUT)/san/out/report.o: $(OUTPUT)/report.js.inc $(OUTPUT)/report.css.inc

$(OUTPUT)/user/%.o: user/%.c | $(SKELS) $(CROSS_TOOLS)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) $(PC_CFLAGS) -MMD -MP -c $< -o $@

$(LIB): $(LIB_OBJS)
	$(call msg,AR,$@)
	$(Q)rm -f $@ && $(AR) rcs $@ $^

$(SAN_LIB): $(SAN_OBJS)
	$(call msg,AR,$@)
	$(Q)rm -f $@ && $(AR) rcs $@ $^

# Before cross builds had their own output, `make ARCH=arm64` linked
# ./maptrace and recorded that here: relink a native one over it.
MAPTRACE_ARCH := .output/maptrace.arch
ifeq ($(CROSS),)
ifneq ($(or $(shell cat $(MAPTRACE_ARCH) 2>/dev/null),$(HOST_ARCH)),$(HOST_ARCH))
.PHONY: maptrace
endif
endif
# `make static` links $(MAPTRACE) statically and leaves this mark: a later
# `make` links the usual (dynamic) one over it.
STATIC_MARK := $(OUTPUT)/maptrace.static
ifneq ($(wildcard $(STATIC_MARK)),)
ifeq ($(filter static,$(MAKECMDGOALS)),)
.PHONY: $(MAPTRACE)
endif
endif

$(MAPTRACE): $(APP_OBJS) $(LIB)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(CFLAGS) $^ $(PC_LIBS) -o $@
	$(Q)$(if $(CROSS),,rm -f $(MAPTRACE_ARCH))
	$(Q)rm -f $(STATIC_MARK)

# (the linker warns that libdw's debuginfod client may dlopen() at run
# time: expected, and left out; without libdebuginfod.so it does without)
static: $(APP_OBJS) $(LIB)
	$(call msg,LINK-STATIC,$(MAPTRACE))
	$(Q)$(CC) $(CFLAGS) -static $^ $(PC_STATIC_LIBS) -o $(MAPTRACE).tmp 2>$(OUTPUT)/static.log; \
		rc=$$?; grep -v -e "debuginfod-client.o" -e "Using 'dlopen' in statically linked" \
		$(OUTPUT)/static.log >&2; exit $$rc
	$(Q)mv $(MAPTRACE).tmp $(MAPTRACE) && touch $(STATIC_MARK)
	$(Q)$(if $(CROSS),,rm -f $(MAPTRACE_ARCH))
	@$(STRIP_$(ARCH)) -o $(OUTPUT)/maptrace.stripped $(MAPTRACE) 2>/dev/null; \
		printf '  %-8s %s: %s bytes; stripped: %s bytes\n' SIZE $(MAPTRACE) \
		"$$(stat -c %s $(MAPTRACE))" "$$(stat -c %s $(OUTPUT)/maptrace.stripped 2>/dev/null || echo '?')"; \
		rm -f $(OUTPUT)/maptrace.stripped

$(OUTPUT)/san/%.o: user/%.c | $(CROSS_TOOLS)
	$(call msg,CC-SAN,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) $(SAN) $(PC_CFLAGS) -MMD -MP -c $< -o $@

$(OUTPUT)/unit/%: tests/unit/%.c $(SAN_LIB) | $(OUTPUT)/unit
	$(call msg,UNIT,$@)
	$(Q)$(CC) $(CFLAGS) $(SAN) -MMD -MP $< $(SAN_LIB) $(shell $(PKG_CONFIG) --cflags --libs cmocka 2>/dev/null || echo -lcmocka) $(PC_LIBS) -o $@

# In-process tests of the BPF programs (tests/bpf/): they load the real
# objects through the tracer, so they link its objects and the library.
BPF_TEST_BINS := $(patsubst tests/bpf/%.c,$(OUTPUT)/bpftest/%,$(wildcard tests/bpf/test_*.c))
TRACE_OBJS := $(filter $(OUTPUT)/user/trace/%,$(APP_OBJS))

$(OUTPUT)/bpftest/%: tests/bpf/%.c $(TRACE_OBJS) $(LIB) | $(OUTPUT)
	$(call msg,BPFTEST,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) -MMD -MP $< $(TRACE_OBJS) $(LIB) $(PC_LIBS) $(shell $(PKG_CONFIG) --cflags --libs cmocka 2>/dev/null || echo -lcmocka) -o $@

bpf-tests: $(BPF_TEST_BINS)
	$(Q)tests/bpf/run.sh $(BPF_TEST_BINS)
.PHONY: bpf-tests

# Workloads: built like distribution binaries (no frame pointers)
$(OUTPUT)/workloads/%: tests/workloads/%.c | $(OUTPUT)/workloads
	$(call msg,WORKLOAD,$@)
	$(Q)$(CC) -std=gnu11 -O2 -g -fomit-frame-pointer $(WARN) $(CROSS_WARN) -D_GNU_SOURCE -Iinclude -MMD -MP $< -o $@ -lpthread -ldl

# ... and, where named here, also with frame pointers (trace --stacks fp)
FP_WORKLOADS := $(OUTPUT)/workloads/stack_chain_fp
$(OUTPUT)/workloads/%_fp: tests/workloads/%.c | $(OUTPUT)/workloads
	$(call msg,WORKLOAD,$@)
	$(Q)$(CC) -std=gnu11 -O2 -g -fno-omit-frame-pointer -mno-omit-leaf-frame-pointer $(WARN) $(CROSS_WARN) -D_GNU_SOURCE -Iinclude -MMD -MP $< -o $@ -lpthread -ldl

$(OUTPUT)/workloads/lib%.so: tests/workloads/lib%.c | $(OUTPUT)/workloads
	$(call msg,WORKLOAD,$@)
	$(Q)$(CC) -std=gnu11 -O2 -g -fomit-frame-pointer -fPIC -shared $(WARN) $(CROSS_WARN) -D_GNU_SOURCE -MMD -MP $< -o $@

# A program per malloc that replaces the C library's (tests/workloads/alloc/,
# linked with it; native only: explain's runtimes tier)
ALLOCATORS       := jemalloc tcmalloc mimalloc
ALLOC_WORKLOADS  := $(foreach a,$(ALLOCATORS),$(OUTPUT)/workloads/alloc_hold_$(a))
$(OUTPUT)/workloads/alloc_hold_%: tests/workloads/alloc/hold.c | $(OUTPUT)/workloads
	$(call msg,WORKLOAD,$@)
	$(Q)$(CC) -std=gnu11 -O2 -g $(WARN) -D_GNU_SOURCE -DUSE_$(shell echo $* | tr a-z A-Z) -MMD -MP $< -o $@ -l$*

# A Go program (tests/workloads/go/, native only, where Debian's golang-go
# is installed: explain's runtimes tier), without cgo: Go's own runtime
# alone, statically linked, as Go builds it by default
GO              ?= go
GO_WORKLOADS    := $(if $(shell command -v $(GO)),$(OUTPUT)/workloads/go_hold)
$(OUTPUT)/workloads/go_%: tests/workloads/go/%.go | $(OUTPUT)/workloads
	$(call msg,WORKLOAD,$@)
	$(Q)CGO_ENABLED=0 GOCACHE=$(abspath $(OUTPUT))/gocache GOPATH=$(abspath $(OUTPUT))/gopath $(GO) build -o $@ $<

workloads: $(WORK_BINS) $(WORK_LIBS) $(FP_WORKLOADS) $(if $(CROSS),,$(ALLOC_WORKLOADS) $(GO_WORKLOADS))

deps:
	$(Q)./.ci/install-deps $(if $(CROSS),--$(ARCH))

unit: $(UNIT_BINS)
	$(Q)$(if $(CROSS),MT_UNIT_EMULATED=1 UNIT_RUNNER='$(UNIT_RUNNER)') tests/unit/run.sh $(UNIT_BINS)

integration: maptrace workloads
	$(Q)tests/integration/run.sh

test: deps
	$(Q)$(MAKE) --no-print-directory all
	$(Q)tests/run-all.sh

demo: deps
	$(Q)$(MAKE) --no-print-directory all
	$(Q)tests/demo.sh

# Man pages and completions from the texts `maptrace --help` and `maptrace
# CMD --help` print: one source, so they cannot drift from the binary. A
# cross-built binary runs under qemu-user to print them.
MAN_STAMP := $(OUTPUT)/man/.generated
$(MAN_STAMP): $(MAPTRACE) docs/man/generate.py
	$(call msg,GEN,$(OUTPUT)/man $(OUTPUT)/completions)
	$(Q)rm -rf $(OUTPUT)/man $(OUTPUT)/completions
	$(Q)docs/man/generate.py $(OUTPUT)/man $(OUTPUT)/completions $(if $(CROSS),$(UNIT_RUNNER)) ./$(MAPTRACE)
	$(Q)touch $@

man: $(MAN_STAMP)

# Debian's zsh reads vendor-completions for packages (under /usr); with
# PREFIX=/usr/local, ZSHCOMPDIR=/usr/local/share/zsh/site-functions is the
# directory it reads
BINDIR      ?= $(PREFIX)/bin
MAN1DIR     ?= $(PREFIX)/share/man/man1
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
ZSHCOMPDIR  ?= $(PREFIX)/share/zsh/vendor-completions

install: $(MAPTRACE) $(MAN_STAMP)
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MAN1DIR) $(DESTDIR)$(BASHCOMPDIR) $(DESTDIR)$(ZSHCOMPDIR)
	install -m 0755 $(MAPTRACE) $(DESTDIR)$(BINDIR)/maptrace
	install -m 0644 $(OUTPUT)/man/*.1 $(DESTDIR)$(MAN1DIR)/
	install -m 0644 $(OUTPUT)/completions/maptrace.bash $(DESTDIR)$(BASHCOMPDIR)/maptrace
	install -m 0644 $(OUTPUT)/completions/_maptrace $(DESTDIR)$(ZSHCOMPDIR)/_maptrace

# (the pages of every command, also of one a newer maptrace dropped)
uninstall:
	rm -f $(DESTDIR)$(BINDIR)/maptrace $(DESTDIR)$(MAN1DIR)/maptrace.1 $(DESTDIR)$(MAN1DIR)/maptrace-*.1 \
		$(DESTDIR)$(BASHCOMPDIR)/maptrace $(DESTDIR)$(ZSHCOMPDIR)/_maptrace

# The BTF of the running kernel, unless one is named: VMLINUX_BTF=FILE (raw
# BTF, or an ELF vmlinux with a .BTF section), or KERNEL_IMAGE=FILE, a boot
# image (vmlinuz) of a kernel built with CONFIG_DEBUG_INFO_BTF=y whose raw
# BTF vmlinux/btf-from-image.py copies out (see vmlinux/README.md).
ifneq ($(KERNEL_IMAGE),)
VMLINUX_BTF := $(OUTPUT)/vmlinux.btf
else ifeq ($(CROSS),)
VMLINUX_BTF ?= /sys/kernel/btf/vmlinux
endif

vmlinux:
ifeq ($(VMLINUX_BTF),)
	@echo "make vmlinux ARCH=$(ARCH): the running kernel is $(HOST_ARCH); name an $(ARCH) kernel with KERNEL_IMAGE=vmlinuz or VMLINUX_BTF=file (see vmlinux/README.md)" >&2; exit 2
endif
ifneq ($(KERNEL_IMAGE),)
	$(Q)mkdir -p $(OUTPUT)
	$(Q)vmlinux/btf-from-image.py $(KERNEL_IMAGE) $(VMLINUX_BTF)
endif
	$(BPFTOOL) btf dump file $(VMLINUX_BTF) format c > $(VMLINUX).tmp && mv $(VMLINUX).tmp $(VMLINUX)

# The part of a kernel's BTF that maptrace's objects need (their CO-RE
# relocations), cut by bpftool gen min_core_btf from the same BTF `make
# vmlinux` reads (VMLINUX_BTF=, KERNEL_IMAGE=): a few KiB for --btf FILE.
min-btf: $(BPF_OBJS)
ifeq ($(VMLINUX_BTF),)
	@echo "make min-btf ARCH=$(ARCH): the running kernel is $(HOST_ARCH); name an $(ARCH) kernel with KERNEL_IMAGE=vmlinuz or VMLINUX_BTF=file" >&2; exit 2
endif
ifneq ($(KERNEL_IMAGE),)
	$(Q)vmlinux/btf-from-image.py $(KERNEL_IMAGE) $(VMLINUX_BTF)
endif
	$(call msg,MIN-BTF,$(OUTPUT)/maptrace.min.btf)
	$(Q)$(BPFTOOL) gen min_core_btf $(VMLINUX_BTF) $(OUTPUT)/maptrace.min.btf $(BPF_OBJS)
	@printf '  %-8s %s: %s bytes, from %s\n' SIZE $(OUTPUT)/maptrace.min.btf \
		"$$(stat -c %s $(OUTPUT)/maptrace.min.btf)" $(VMLINUX_BTF)
.PHONY: min-btf

clean:
	rm -rf $(OUTPUT) $(MAPTRACE)

-include $(wildcard $(OUTPUT)/*.d $(OUTPUT)/user/*/*.d $(OUTPUT)/san/*/*.d $(OUTPUT)/unit/*.d $(OUTPUT)/bpftest/*.d $(OUTPUT)/workloads/*.d)

bench: all
	$(Q)bench/run.sh
.PHONY: bench

soak: all workloads
	$(Q)SOAK_SECONDS=$${SOAK_SECONDS:-1800} tests/integration/soak.sh
.PHONY: soak

fuzz: all
	$(Q)tests/fuzz/run.sh $${FUZZ_SECONDS:-60}
fuzz-short:
	$(Q)tests/fuzz/run.sh 5
.PHONY: fuzz fuzz-short

# Not part of `make test`: it downloads kernels and takes half an hour.
# The guests run the static maptrace (`make static`), the one file a board
# gets. The arm64 guests (ARCHES: both unless told) get a cross build of it
# and of the workloads from .output/arm64; its toolchain and libraries come
# from `.ci/install-deps --arm64`, the guest's strace from
# tests/kernels/fetch.sh.
ARCHES ?= amd64 arm64
test-kernels: deps
	$(Q)tests/kernels/install-deps
	$(Q)$(MAKE) --no-print-directory static workloads
ifneq ($(filter arm64,$(ARCHES)),)
	$(Q)./.ci/install-deps --arm64
	$(Q)$(MAKE) --no-print-directory ARCH=arm64 static workloads
	$(Q)ARCHES="$(ARCHES)" ARM64_MAPTRACE=$${ARM64_MAPTRACE:-.output/arm64/maptrace} \
		ARM64_WORKLOADS=$${ARM64_WORKLOADS:-.output/arm64/workloads} tests/kernels/run.sh
else
	$(Q)ARCHES="$(ARCHES)" tests/kernels/run.sh
endif
.PHONY: test-kernels

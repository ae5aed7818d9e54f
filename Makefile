# maptrace - build, test and install.
#
#   make            build ./maptrace (BPF objects, skeletons, user space)
#   make demo       install missing packages, build, run maptrace on the demo workload
#   make test       install missing packages, build, run unit + integration tests
#   make unit       cmocka unit tests under ASan/UBSan (no root needed)
#   make integration  tests that load the real BPF programs (root)
#   make soak       verify -a over mixed churn, SOAK_SECONDS (default 1800) (root)
#   make test-kernels  boot Debian kernels under qemu and run maptrace in each (root;
#                   KERNELS="5.10 6.1 6.12 sid" ARCHES="amd64 arm64" select a subset)
#   make install    PREFIX=/usr/local DESTDIR=
#   make vmlinux    regenerate vmlinux/vmlinux_$(ARCH).h from the running kernel's BTF
#   V=1             show full commands

OUTPUT   := .output
CLANG    ?= $(shell command -v clang-19 || command -v clang)
BPFTOOL  ?= $(shell command -v bpftool || echo /usr/sbin/bpftool)
CC       ?= cc
PKG_CONFIG ?= pkg-config
PREFIX   ?= /usr/local
DESTDIR  ?=

ARCH := $(shell uname -m | sed -e 's/x86_64/x86/' -e 's/aarch64/arm64/' -e 's/ppc64le/powerpc/' -e 's/riscv64/riscv/' -e 's/s390x/s390/')
VMLINUX := vmlinux/vmlinux_$(ARCH).h

LIBS_PC   := libbpf libelf libdw zlib
# recursive (=): evaluated when used, after `make deps` may have installed them
PC_CFLAGS  = $(shell $(PKG_CONFIG) --cflags $(LIBS_PC) 2>/dev/null)
PC_LIBS    = $(shell $(PKG_CONFIG) --libs $(LIBS_PC) 2>/dev/null)

WARN     := -Wall -Wextra -Werror -Wformat=2 -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wno-unused-parameter
CFLAGS   ?= -O2 -g
override CFLAGS += -std=gnu11 $(WARN) -D_GNU_SOURCE -Iinclude -I$(OUTPUT)
BPF_CFLAGS := -g -O2 -target bpf -D__TARGET_ARCH_$(ARCH) -Wall -Werror -Iinclude -Ivmlinux -I$(OUTPUT)
SAN      := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all

ifeq ($(V),1)
Q =
msg =
else
Q = @
msg = @printf '  %-8s %s\n' "$(1)" "$(2)";
endif

.DELETE_ON_ERROR:
.PHONY: all clean demo test unit integration deps install vmlinux workloads

BPF_SRCS   := $(wildcard bpf/*.bpf.c)
BPF_OBJS   := $(patsubst bpf/%.bpf.c,$(OUTPUT)/%.bpf.o,$(BPF_SRCS))
SKELS      := $(patsubst bpf/%.bpf.c,$(OUTPUT)/%.skel.h,$(BPF_SRCS))

# Pure logic: never calls libbpf, unit-tested with sanitizers.
LOGIC_SRCS := user/procmaps.c user/shadow.c user/mapdiff.c user/json.c user/evfmt.c user/aspace.c user/u64map.c user/stats.c user/budget.c user/jsonread.c user/export.c user/smaps.c user/classify.c
USER_SRCS  := $(wildcard user/*.c)
USER_OBJS  := $(patsubst user/%.c,$(OUTPUT)/user/%.o,$(USER_SRCS))
SAN_OBJS   := $(patsubst user/%.c,$(OUTPUT)/san/%.o,$(LOGIC_SRCS))
# keep the sanitizer objects between runs (they are not intermediate)
.SECONDARY: $(SAN_OBJS)

UNIT_SRCS  := $(wildcard tests/unit/test_*.c)
UNIT_BINS  := $(patsubst tests/unit/%.c,$(OUTPUT)/unit/%,$(UNIT_SRCS))
# lib*.c are shared libraries the workloads dlopen()
WORK_LIBS  := $(patsubst tests/workloads/%.c,$(OUTPUT)/workloads/%.so,$(wildcard tests/workloads/lib*.c))
WORK_SRCS  := $(filter-out tests/workloads/lib%.c,$(wildcard tests/workloads/*.c))
WORK_BINS  := $(patsubst tests/workloads/%.c,$(OUTPUT)/workloads/%,$(WORK_SRCS))

all: maptrace

$(OUTPUT) $(OUTPUT)/user $(OUTPUT)/san $(OUTPUT)/unit $(OUTPUT)/workloads:
	$(Q)mkdir -p $@

$(OUTPUT)/%.bpf.o: bpf/%.bpf.c $(VMLINUX) | $(OUTPUT)
	$(call msg,BPF,$@)
	$(Q)$(CLANG) $(BPF_CFLAGS) -MMD -MP -c $< -o $@

$(OUTPUT)/%.skel.h: $(OUTPUT)/%.bpf.o
	$(call msg,GEN-SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name $(subst -,_,$*)_bpf > $@

$(OUTPUT)/user/%.o: user/%.c | $(OUTPUT)/user $(SKELS)
	$(call msg,CC,$@)
	$(Q)$(CC) $(CFLAGS) $(PC_CFLAGS) -MMD -MP -c $< -o $@

maptrace: $(USER_OBJS)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(CFLAGS) $^ $(PC_LIBS) -o $@

$(OUTPUT)/san/%.o: user/%.c | $(OUTPUT)/san
	$(call msg,CC-SAN,$@)
	$(Q)$(CC) $(CFLAGS) $(SAN) -MMD -MP -c $< -o $@

$(OUTPUT)/unit/%: tests/unit/%.c $(SAN_OBJS) | $(OUTPUT)/unit
	$(call msg,UNIT,$@)
	$(Q)$(CC) $(CFLAGS) $(SAN) -MMD -MP $< $(SAN_OBJS) $(shell $(PKG_CONFIG) --cflags --libs cmocka 2>/dev/null || echo -lcmocka) -o $@

# Workloads: built like distribution binaries (no frame pointers)
$(OUTPUT)/workloads/%: tests/workloads/%.c | $(OUTPUT)/workloads
	$(call msg,WORKLOAD,$@)
	$(Q)$(CC) -std=gnu11 -O2 -g -fomit-frame-pointer $(WARN) -D_GNU_SOURCE -Iinclude -MMD -MP $< -o $@ -lpthread -ldl

# ... and, where named here, also with frame pointers (trace --stacks fp)
FP_WORKLOADS := $(OUTPUT)/workloads/stack_chain_fp
$(OUTPUT)/workloads/%_fp: tests/workloads/%.c | $(OUTPUT)/workloads
	$(call msg,WORKLOAD,$@)
	$(Q)$(CC) -std=gnu11 -O2 -g -fno-omit-frame-pointer -mno-omit-leaf-frame-pointer $(WARN) -D_GNU_SOURCE -Iinclude -MMD -MP $< -o $@ -lpthread -ldl

$(OUTPUT)/workloads/lib%.so: tests/workloads/lib%.c | $(OUTPUT)/workloads
	$(call msg,WORKLOAD,$@)
	$(Q)$(CC) -std=gnu11 -O2 -g -fomit-frame-pointer -fPIC -shared $(WARN) -D_GNU_SOURCE -MMD -MP $< -o $@

workloads: $(WORK_BINS) $(WORK_LIBS) $(FP_WORKLOADS)

deps:
	$(Q)./.ci/install-deps

unit: $(UNIT_BINS)
	$(Q)tests/unit/run.sh $(UNIT_BINS)

integration: maptrace workloads
	$(Q)tests/integration/run.sh

test: deps
	$(Q)$(MAKE) --no-print-directory all
	$(Q)tests/run-all.sh

demo: deps
	$(Q)$(MAKE) --no-print-directory all
	$(Q)tests/demo.sh

install: maptrace
	install -d $(DESTDIR)$(PREFIX)/bin
	install -m 0755 maptrace $(DESTDIR)$(PREFIX)/bin/maptrace

vmlinux:
	$(BPFTOOL) btf dump file /sys/kernel/btf/vmlinux format c > $(VMLINUX).tmp && mv $(VMLINUX).tmp $(VMLINUX)

clean:
	rm -rf $(OUTPUT) maptrace

-include $(wildcard $(OUTPUT)/*.d $(OUTPUT)/user/*.d $(OUTPUT)/san/*.d $(OUTPUT)/unit/*.d $(OUTPUT)/workloads/*.d)

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
test-kernels: deps
	$(Q)tests/kernels/install-deps
	$(Q)$(MAKE) --no-print-directory all workloads
	$(Q)tests/kernels/run.sh
.PHONY: test-kernels

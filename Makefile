# ngx_http_sandbox_module + sandbox-runner
#
#   make run     set up everything, then serve on 127.0.0.1:8080
#   make test    set up everything, then run the whole suite
#   make soak    a long run under load; the report in build/soak/
#
# Set-up (deps, dockerd, images) is idempotent and cached; see tools/.
#
# Everything talks to the sandbox's own Docker engine (tools/dockerd.sh:
# user namespaces, no bridge), never to the host's default one, unless
# SBX_DOCKER_SOCKET names another engine's socket.

SHELL       := /bin/bash
BUILD       := build
NGX_SRC     ?= /usr/share/nginx/src
NGINX       ?= /usr/sbin/nginx
CC          ?= cc
CFLAGS      ?= -O2 -g
WARN        := -Wall -Wextra -Wno-unused-parameter
PKGS        := jansson libcurl libpcre2-8

SBX_DOCKER_SOCKET ?= /run/sandbox-docker.sock
export SBX_DOCKER_SOCKET
export DOCKER_HOST := unix://$(SBX_DOCKER_SOCKET)

# common/ is compiled into every program: module, runner and init
COMMON_SRCS := $(wildcard common/*.c)
RUNNER_SRCS := $(wildcard runner/src/sbx_*.c)
INIT_SRCS   := $(wildcard runner/init/*.c)
MODULE_SRCS := $(wildcard ngx_http_sandbox_module/*.[ch]) config \
               $(wildcard common/*.[ch])
UNIT_SRCS   := $(wildcard runner/tests/test_*.c)
UNIT_BINS   := $(UNIT_SRCS:runner/tests/%.c=$(BUILD)/tests/%)

COMMON_OBJS := $(COMMON_SRCS:%.c=$(BUILD)/obj/%.o)
RUNNER_OBJS := $(RUNNER_SRCS:%.c=$(BUILD)/obj/%.o)
INIT_OBJS   := $(INIT_SRCS:%.c=$(BUILD)/obj/%.o)
# archives: a program links only the members it uses
COMMON_LIB  := $(BUILD)/obj/libsbx-common.a
# everything of the runner but main(), for the unit tests to link
RUNNER_LIB  := $(BUILD)/obj/libsbx-runner.a

RUNNER      := $(BUILD)/sandbox-runner
INIT        := $(BUILD)/sandbox-init
MODULE      := $(BUILD)/ngx_http_sandbox_module.so

.PHONY: all build deps docker images run test unit t bench soak lint clean

all: build

build: $(RUNNER) $(INIT) $(MODULE)

deps:
	@tools/deps.sh

docker: deps
	@tools/dockerd.sh

images: docker
	@runner/images/build.sh all

# -MMD -MP: each object has a .d file naming the headers it read, so a
# change rebuilds what it touches and nothing else
$(BUILD)/obj/common/%.o: common/%.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(WARN) -MMD -MP -Icommon \
	    $(shell pkg-config --cflags jansson libpcre2-8) -c -o $@ $<

$(BUILD)/obj/runner/src/%.o: runner/src/%.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(WARN) -MMD -MP -pthread -Irunner/src -Icommon \
	    $(shell pkg-config --cflags $(PKGS)) -c -o $@ $<

$(BUILD)/obj/runner/init/%.o: runner/init/%.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(WARN) -MMD -MP -Irunner/init -Icommon -c -o $@ $<

$(COMMON_LIB): $(COMMON_OBJS)
	rm -f $@
	$(AR) rcs $@ $^

$(RUNNER_LIB): $(filter-out %/sbx_main.o,$(RUNNER_OBJS))
	rm -f $@
	$(AR) rcs $@ $^

$(RUNNER): $(RUNNER_OBJS) $(COMMON_LIB)
	$(CC) -pthread -o $@ $^ $(shell pkg-config --libs $(PKGS)) -lcrypto

# static: it runs inside images that share nothing with the host's libc
$(INIT): $(INIT_OBJS) $(COMMON_LIB)
	$(CC) -static -o $@ $^ -ljansson -lpcre2-8

-include $(COMMON_OBJS:.o=.d) $(RUNNER_OBJS:.o=.d) $(INIT_OBJS:.o=.d)

# A configured nginx tree: Debian's nginx-dev headers (with its
# conf_flags, so the module's signature matches /usr/sbin/nginx), or a
# plain nginx source tree with NGX_SRC=… (configured --with-compat).
$(BUILD)/nginx/objs/Makefile: config
	rm -rf $(BUILD)/nginx
	mkdir -p $(BUILD)
	cp -r $(NGX_SRC) $(BUILD)/nginx
	cd $(BUILD)/nginx && \
	if [ -f conf_flags ]; then . ./conf_flags; \
	else NGX_CONF_FLAGS=(--with-compat --with-threads); fi; \
	conf=./configure; [ -x $$conf ] || conf=./auto/configure; \
	$$conf "$${NGX_CONF_FLAGS[@]}" $(NGX_CONFIGURE_EXTRA) \
	    --add-dynamic-module=$(CURDIR) >configure.log 2>&1 \
	    || { tail -30 configure.log; exit 1; }

$(MODULE): $(BUILD)/nginx/objs/Makefile $(MODULE_SRCS)
	$(MAKE) -C $(BUILD)/nginx -f objs/Makefile modules
	@# a new inode: a running nginx keeps its mapping of the old file
	cp $(BUILD)/nginx/objs/ngx_http_sandbox_module.so $@.tmp
	mv -f $@.tmp $@

$(BUILD)/tests/%: runner/tests/%.c $(RUNNER_LIB) $(COMMON_LIB)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(WARN) -MMD -MP -pthread -Irunner/src -Icommon \
	    $(shell pkg-config --cflags $(PKGS)) -o $@ $< \
	    $(RUNNER_LIB) $(COMMON_LIB) \
	    $(shell pkg-config --libs $(PKGS)) -lcrypto -lcmocka

-include $(UNIT_BINS:=.d)

unit: $(UNIT_BINS)
	@set -e; for t in $(UNIT_BINS); do echo "== $$t"; $$t; done

t: build
	@tools/test-t.sh

test: deps docker images build unit t

run: deps docker images build
	@tools/run.sh

bench: deps docker images build
	@tools/bench.sh

# not part of test: SOAK_MINUTES (default 30) of load; see tools/soak.sh
soak: deps docker images build
	@tools/soak.sh

lint:
	cppcheck --quiet --error-exitcode=1 --enable=warning,portability \
	    --inline-suppr -Icommon -Irunner/src common runner/src runner/init

clean:
	rm -rf $(BUILD) t/servroot*

# ngx_http_sandbox_module + sandbox-runner
#
#   make run     set up everything, then serve on 127.0.0.1:8080
#   make test    set up everything, then run the whole suite
#
# Set-up (deps, dockerd, images) is idempotent and cached; see tools/.

SHELL       := /bin/bash
BUILD       := build
NGX_SRC     ?= /usr/share/nginx/src
NGINX       ?= /usr/sbin/nginx
CC          ?= cc
CFLAGS      ?= -O2 -g
WARN        := -Wall -Wextra -Wno-unused-parameter
PKGS        := jansson libcurl libpcre2-8

SHARED_SRCS := runner/src/sbx_proto.c runner/src/sbx_base64.c \
               runner/src/sbx_schema.c
RUNNER_SRCS := $(filter-out $(SHARED_SRCS),$(wildcard runner/src/sbx_*.c))
RUNNER_HDRS := $(wildcard runner/src/*.h)
INIT_SRCS   := $(wildcard runner/init/*.c)
INIT_HDRS   := $(wildcard runner/init/*.h)
INIT_SHARED := runner/src/sbx_proto.c runner/src/sbx_base64.c \
               $(wildcard runner/src/sbx_check.c)
MODULE_SRCS := $(wildcard ngx_http_sandbox_module/*.[ch]) config \
               $(SHARED_SRCS) $(wildcard runner/src/sbx_proto.h \
               runner/src/sbx_schema.h runner/src/sbx_base64.h)
UNIT_SRCS   := $(wildcard runner/tests/test_*.c)
UNIT_BINS   := $(UNIT_SRCS:runner/tests/%.c=$(BUILD)/tests/%)

RUNNER      := $(BUILD)/sandbox-runner
INIT        := $(BUILD)/sandbox-init
MODULE      := $(BUILD)/ngx_http_sandbox_module.so

.PHONY: all build deps docker images run test unit t bench lint clean

all: build

build: $(RUNNER) $(INIT) $(MODULE)

deps:
	@tools/deps.sh

docker: deps
	@tools/dockerd.sh

images: docker
	@runner/images/build.sh all

$(RUNNER): $(RUNNER_SRCS) $(SHARED_SRCS) $(RUNNER_HDRS)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(WARN) -pthread -Irunner/src \
	    $(shell pkg-config --cflags $(PKGS)) -o $@ \
	    $(RUNNER_SRCS) $(SHARED_SRCS) \
	    $(shell pkg-config --libs $(PKGS)) -lcrypto

# static: it runs inside images that share nothing with the host's libc
$(INIT): $(INIT_SRCS) $(INIT_HDRS) $(INIT_SHARED) $(RUNNER_HDRS)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(WARN) -static -Irunner/src -o $@ \
	    $(INIT_SRCS) $(INIT_SHARED) -ljansson -lpcre2-8

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

$(BUILD)/tests/%: runner/tests/%.c $(RUNNER_SRCS) $(SHARED_SRCS) $(RUNNER_HDRS)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(WARN) -pthread -Irunner/src -DSBX_UNIT_TEST \
	    $(shell pkg-config --cflags $(PKGS)) -o $@ $< \
	    $(filter-out runner/src/sbx_main.c,$(RUNNER_SRCS)) $(SHARED_SRCS) \
	    $(shell pkg-config --libs $(PKGS)) -lcrypto -lcmocka

unit: $(UNIT_BINS)
	@set -e; for t in $(UNIT_BINS); do echo "== $$t"; $$t; done

t: build
	@tools/test-t.sh

test: deps docker images build unit t

run: deps docker images build
	@tools/run.sh

bench: deps docker images build
	@tools/bench.sh

lint:
	cppcheck --quiet --error-exitcode=1 --enable=warning,portability \
	    --inline-suppr -Irunner/src runner/src runner/init

clean:
	rm -rf $(BUILD) t/servroot*

# ngx_http_sandbox_module + sandbox-runner
#
#   make run     set up everything, then serve on 127.0.0.1:8080
#   make test    set up everything, then run the whole suite (the
#                playground's browser test too: make browser)
#   make soak    a long run under load; the report in build/soak/
#   make fuzz    run every fuzz target for FUZZ_SECONDS each (fuzz/)
#   make install install for a server (PREFIX, DESTDIR); make deb: packages
#   make static  nginx built with the module compiled in; its error tests
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

.PHONY: all build deps docker images run test unit t bench soak lint clean \
        fuzz fuzz-smoke fuzz-build install uninstall deb package-test \
        static static-build browser

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
	$(CC) $(CPPFLAGS) $(CFLAGS) $(WARN) -MMD -MP -Icommon \
	    $(shell pkg-config --cflags jansson libpcre2-8) -c -o $@ $<

$(BUILD)/obj/runner/src/%.o: runner/src/%.c
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(WARN) -MMD -MP -pthread -Irunner/src \
	    -Icommon $(shell pkg-config --cflags $(PKGS)) -c -o $@ $<

$(BUILD)/obj/runner/init/%.o: runner/init/%.c
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(WARN) -MMD -MP -Irunner/init -Icommon \
	    -c -o $@ $<

$(COMMON_LIB): $(COMMON_OBJS)
	rm -f $@
	$(AR) rcs $@ $^

$(RUNNER_LIB): $(filter-out %/sbx_main.o,$(RUNNER_OBJS))
	rm -f $@
	$(AR) rcs $@ $^

$(RUNNER): $(RUNNER_OBJS) $(COMMON_LIB)
	$(CC) $(LDFLAGS) -pthread -o $@ $^ $(shell pkg-config --libs $(PKGS)) \
	    -lssl -lcrypto

# static: it runs inside images that share nothing with the host's libc
$(INIT): $(INIT_OBJS) $(COMMON_LIB)
	$(CC) $(LDFLAGS) -static -o $@ $^ -ljansson -lpcre2-8

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
	    $(shell pkg-config --libs $(PKGS)) -lssl -lcrypto -lcmocka

-include $(UNIT_BINS:=.d)

unit: $(UNIT_BINS)
	@set -e; for t in $(UNIT_BINS); do echo "== $$t"; $$t; done

# libFuzzer targets (each harness's opening comment says what it checks):
# every parser and decoder that reads bytes from a client, a program or Docker,
# built with clang, ASan and UBSan.  The module's targets link nginx's
# own objects, built from the source of the installed nginx version
# (fuzz/nginx.sh), and compile the module's sources against that tree.

FUZZ_CC      ?= clang
FUZZ_DIR     := $(BUILD)/fuzz
FUZZ_NGX     := $(FUZZ_DIR)/nginx
FUZZ_SAN     := -g -O1 -fno-omit-frame-pointer -fsanitize=address,undefined
FUZZ_CFLAGS  := $(FUZZ_SAN) -fno-sanitize-recover=undefined \
                -fsanitize=fuzzer-no-link
FUZZ_TARGETS := proto base64 check demux submit api result handover init_payload \
                module_request module_reply double
FUZZ_BINS    := $(FUZZ_TARGETS:%=$(FUZZ_DIR)/%)
# seconds per target: the slowest targets (check, whose regexes run up
# to their PCRE2 match limit, and module_request) did 7,000-8,000
# executions/s on one core of a busy 2-core host, so 180 s is over 10^6
FUZZ_SECONDS ?= 180
FUZZ_SMOKE_SECONDS ?= 2

FUZZ_NGX_INCS := $(addprefix -I$(FUZZ_NGX)/,objs src/core src/event \
                 src/event/modules src/os/unix src/http src/http/modules)

FUZZ_COMMON := $(COMMON_SRCS:%.c=$(FUZZ_DIR)/obj/%.o)
FUZZ_RUNNER := $(filter-out %/sbx_main.o,\
               $(RUNNER_SRCS:%.c=$(FUZZ_DIR)/obj/%.o))
FUZZ_INIT   := $(filter-out %/sandbox_init.o,\
               $(INIT_SRCS:%.c=$(FUZZ_DIR)/obj/%.o))
FUZZ_MODULE := $(patsubst %.c,$(FUZZ_DIR)/obj/%.o,\
               $(wildcard ngx_http_sandbox_module/*.c))

$(FUZZ_DIR)/obj/common/%.o: common/%.c
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) $(WARN) -MMD -MP -Icommon \
	    $(shell pkg-config --cflags jansson libpcre2-8) -c -o $@ $<

$(FUZZ_DIR)/obj/runner/src/%.o: runner/src/%.c
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) $(WARN) -MMD -MP -pthread -Irunner/src \
	    -Icommon $(shell pkg-config --cflags $(PKGS)) -c -o $@ $<

$(FUZZ_DIR)/obj/runner/init/%.o: runner/init/%.c
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) $(WARN) -MMD -MP -Irunner/init -Icommon \
	    -c -o $@ $<

$(FUZZ_NGX)/.done: fuzz/nginx.sh
	fuzz/nginx.sh $(FUZZ_DIR) $(FUZZ_CC) "$(FUZZ_CFLAGS)" \
	    "-fsanitize=address,undefined"

# nginx's objects as one archive; nginx.o keeps everything but its main()
$(FUZZ_NGX)/libngx.a: $(FUZZ_NGX)/.done
	objcopy --redefine-sym main=ngx_fuzz_unused_main \
	    $(FUZZ_NGX)/objs/src/core/nginx.o $(FUZZ_NGX)/nginx-nomain.o
	rm -f $@
	$(AR) rcs $@ $(FUZZ_NGX)/nginx-nomain.o $(FUZZ_NGX)/objs/ngx_modules.o \
	    $$(find $(FUZZ_NGX)/objs/src -name '*.o' ! -name nginx.o | sort)

$(FUZZ_DIR)/obj/ngx_http_sandbox_module/%.o: ngx_http_sandbox_module/%.c \
    $(FUZZ_NGX)/.done
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -MMD -MP $(FUZZ_NGX_INCS) \
	    -Ingx_http_sandbox_module -Icommon \
	    $(shell pkg-config --cflags jansson) -c -o $@ $<

$(FUZZ_DIR)/libcommon.a: $(FUZZ_COMMON)
	rm -f $@
	$(AR) rcs $@ $^

$(FUZZ_DIR)/librunner.a: $(FUZZ_RUNNER)
	rm -f $@
	$(AR) rcs $@ $^

# sandbox_init.c has init's log function next to its main()
$(FUZZ_DIR)/libinit.a: $(FUZZ_INIT) $(FUZZ_DIR)/obj/runner/init/sandbox_init.o
	objcopy --redefine-sym main=sbx_fuzz_unused_main \
	    $(FUZZ_DIR)/obj/runner/init/sandbox_init.o $(@D)/init-nomain.o
	rm -f $@
	$(AR) rcs $@ $(FUZZ_INIT) $(@D)/init-nomain.o

FUZZ_LINK := $(FUZZ_CC) $(FUZZ_SAN) -fno-sanitize-recover=undefined \
             -fsanitize=fuzzer

$(FUZZ_DIR)/proto $(FUZZ_DIR)/base64 $(FUZZ_DIR)/check: \
    $(FUZZ_DIR)/%: fuzz/%.c $(FUZZ_DIR)/libcommon.a
	$(FUZZ_LINK) $(WARN) -MMD -MP -Icommon \
	    $(shell pkg-config --cflags jansson libpcre2-8) -o $@ $< \
	    $(FUZZ_DIR)/libcommon.a $(shell pkg-config --libs jansson libpcre2-8)

$(FUZZ_DIR)/demux $(FUZZ_DIR)/submit $(FUZZ_DIR)/api $(FUZZ_DIR)/result \
$(FUZZ_DIR)/handover \
$(FUZZ_DIR)/double: \
    $(FUZZ_DIR)/%: fuzz/%.c $(FUZZ_DIR)/librunner.a $(FUZZ_DIR)/libcommon.a
	$(FUZZ_LINK) $(WARN) -MMD -MP -pthread -Ifuzz -Irunner/src -Icommon \
	    $(shell pkg-config --cflags $(PKGS)) -o $@ $< \
	    $(FUZZ_DIR)/librunner.a $(FUZZ_DIR)/libcommon.a \
	    $(shell pkg-config --libs $(PKGS)) -lssl -lcrypto

$(FUZZ_DIR)/init_payload: fuzz/init_payload.c $(FUZZ_DIR)/libinit.a \
    $(FUZZ_DIR)/libcommon.a
	$(FUZZ_LINK) $(WARN) -MMD -MP -Irunner/init -Icommon -o $@ $< \
	    $(FUZZ_DIR)/libinit.a $(FUZZ_DIR)/libcommon.a -ljansson -lpcre2-8

FUZZ_NGX_LIBS := $(FUZZ_DIR)/libcommon.a $(FUZZ_NGX)/libngx.a \
                 -ljansson -lpthread -lpcre2-8 -lcrypt -ldl -lcrypto

$(FUZZ_DIR)/module_request: fuzz/module_request.c fuzz/fuzz_nginx.h \
    $(FUZZ_MODULE) $(FUZZ_DIR)/libcommon.a $(FUZZ_NGX)/libngx.a
	$(FUZZ_LINK) -MMD -MP $(FUZZ_NGX_INCS) -Ingx_http_sandbox_module \
	    -Icommon -Ifuzz -o $@ $< $(FUZZ_MODULE) $(FUZZ_NGX_LIBS)

# the harness includes ngx_http_sandbox_handler.c for its static callbacks
$(FUZZ_DIR)/module_reply: fuzz/module_reply.c fuzz/fuzz_nginx.h \
    $(FUZZ_MODULE) $(FUZZ_DIR)/libcommon.a $(FUZZ_NGX)/libngx.a
	$(FUZZ_LINK) -MMD -MP $(FUZZ_NGX_INCS) -Ingx_http_sandbox_module \
	    -Icommon -Ifuzz -o $@ $< \
	    $(filter-out %/ngx_http_sandbox_handler.o,$(FUZZ_MODULE)) \
	    $(FUZZ_NGX_LIBS)

-include $(FUZZ_COMMON:.o=.d) $(FUZZ_RUNNER:.o=.d) $(FUZZ_INIT:.o=.d) \
         $(FUZZ_MODULE:.o=.d) $(FUZZ_BINS:=.d)

fuzz-build: $(FUZZ_BINS)

fuzz: fuzz-build
	@fuzz/run.sh $(FUZZ_DIR) $(FUZZ_SECONDS) $(FUZZ_TARGETS)

fuzz-smoke: fuzz-build
	@fuzz/run.sh $(FUZZ_DIR) $(FUZZ_SMOKE_SECONDS) $(FUZZ_TARGETS)

t: build
	@tools/test-t.sh

# nginx with the module compiled in (--add-module), from the source of
# the installed nginx version (tools/nginx-source.sh), so that static
# and dynamic builds are held to the same tests: the suites of errors
# nginx raises itself, which pass through the module's filters, and of
# the hidden locations and server-wide settings that only a full
# nginx exercises.  The tree is configured again when config changes;
# nginx's own Makefile rebuilds what a change of the module touches.
STATIC_NGX   := $(BUILD)/static-nginx
STATIC_TESTS ?= t/002-errors.t t/006-limit-except.t \
                t/007-json-errors-server.t t/008-head.t t/009-body-cap.t

$(STATIC_NGX)/objs/Makefile: config tools/nginx-source.sh
	tools/nginx-source.sh $(BUILD)/nginx-source $(STATIC_NGX)
	cd $(STATIC_NGX) && ./configure --with-threads --with-pcre \
	    --with-cc-opt="$(CFLAGS)" --add-module=$(CURDIR) \
	    >configure.log 2>&1 || { tail -30 configure.log; exit 1; }

$(STATIC_NGX)/objs/nginx: $(STATIC_NGX)/objs/Makefile $(MODULE_SRCS)
	$(MAKE) -C $(STATIC_NGX) -f objs/Makefile >$(STATIC_NGX)/make.log 2>&1 \
	    || { tail -30 $(STATIC_NGX)/make.log; exit 1; }
	touch $@

static-build: $(STATIC_NGX)/objs/nginx

# no load_module: the module is nginx's own
static: build static-build
	@SBX_TEST_TAG=$${SBX_TEST_TAG:-static} \
	    TEST_NGINX_BINARY=$(CURDIR)/$(STATIC_NGX)/objs/nginx \
	    TEST_NGINX_LOAD_MODULES= TEST_FILES="$(STATIC_TESTS)" \
	    tools/test-t.sh

# the playground in headless Chromium against a real nginx and runner
browser: build
	@tools/browser-test.sh

test: deps docker images build unit fuzz-smoke package-test t static browser

run: deps docker images build
	@tools/run.sh

bench: deps docker images build
	@tools/bench.sh

# not part of test: SOAK_MINUTES (default 30) of load; see tools/soak.sh
soak: deps docker images build
	@tools/soak.sh

# make install [PREFIX=/usr/local] [DESTDIR=…]: the module, the runner
# and sandbox-init, their tables and config, the systemd units of the
# runner and of its Docker engine, sysusers.d and logrotate files (dist/).
# /etc and /var are the system's whatever PREFIX is: the runner's own
# defaults read /etc/sandbox-runner.  An existing sandbox-runner.json is
# kept (the new one is written beside it as .new); languages.json and
# seccomp.json belong to the code and are replaced.  The paths in the
# config file and the units are the ones installed here.
PREFIX      ?= /usr/local
DESTDIR     ?=
SBINDIR     ?= $(PREFIX)/sbin
PKGLIBDIR   ?= $(PREFIX)/lib/sandbox-runner
DATADIR     ?= $(PREFIX)/share
DOCDIR      ?= $(DATADIR)/doc/sandbox-runner
IMAGESDIR   ?= $(DATADIR)/sandbox-runner
SYSCONFDIR  ?= /etc
UNITDIR     ?= $(PREFIX)/lib/systemd/system
SYSUSERSDIR ?= $(PREFIX)/lib/sysusers.d
# where this host's nginx looks for modules (nginx -V), else under PREFIX
NGX_MODULES_DIR ?= $(or $(shell $(NGINX) -V 2>&1 | \
                   sed -n 's/.*--modules-path=\([^ ]*\).*/\1/p'),\
                   $(PREFIX)/lib/nginx/modules)
NGINX_GROUP ?= www-data
DOCKERD     ?= /usr/sbin/dockerd

DIST_SUBST  := sed -e 's|@SBINDIR@|$(SBINDIR)|g' \
                   -e 's|@PKGLIBDIR@|$(PKGLIBDIR)|g' \
                   -e 's|@SYSCONFDIR@|$(SYSCONFDIR)|g' \
                   -e 's|@DOCDIR@|$(DOCDIR)|g' \
                   -e 's|@IMAGESDIR@|$(IMAGESDIR)|g' \
                   -e 's|@NGX_MODULES_DIR@|$(NGX_MODULES_DIR)|g' \
                   -e 's|@NGINX_GROUP@|$(NGINX_GROUP)|g' \
                   -e 's|@DOCKERD@|$(DOCKERD)|g'
# server.recipe is the package test's image, not a language's
IMAGE_FILES := $(filter-out %/server.recipe,\
               $(wildcard runner/images/*.recipe)) runner/images/README.md

install: build
	install -d $(DESTDIR)$(NGX_MODULES_DIR) $(DESTDIR)$(SBINDIR) \
	    $(DESTDIR)$(PKGLIBDIR) $(DESTDIR)$(SYSCONFDIR)/sandbox-runner \
	    $(DESTDIR)$(SYSCONFDIR)/logrotate.d $(DESTDIR)$(UNITDIR) \
	    $(DESTDIR)$(SYSUSERSDIR) $(DESTDIR)$(DOCDIR) \
	    $(DESTDIR)$(DATADIR)/nginx/modules-available \
	    $(DESTDIR)$(IMAGESDIR)/runner/images
	install -m 644 $(MODULE) $(DESTDIR)$(NGX_MODULES_DIR)/
	install -m 755 $(RUNNER) $(DESTDIR)$(SBINDIR)/
	install -m 755 $(INIT) dist/sandbox-docker-prepare $(DESTDIR)$(PKGLIBDIR)/
	install -m 644 runner/languages.json runner/seccomp.json \
	    $(DESTDIR)$(SYSCONFDIR)/sandbox-runner/
	$(DIST_SUBST) dist/sandbox-runner.json.in >$(BUILD)/sandbox-runner.json
	conf=$(DESTDIR)$(SYSCONFDIR)/sandbox-runner/sandbox-runner.json; \
	if [ -e $$conf ] && ! cmp -s $$conf $(BUILD)/sandbox-runner.json; then \
	    install -m 644 $(BUILD)/sandbox-runner.json $$conf.new; \
	    echo "install: kept $$conf; the new one is $$conf.new"; \
	else install -m 644 $(BUILD)/sandbox-runner.json $$conf; fi
	for u in sandbox-runner sandbox-docker; do \
	    $(DIST_SUBST) dist/$$u.service.in >$(BUILD)/$$u.service && \
	    install -m 644 $(BUILD)/$$u.service $(DESTDIR)$(UNITDIR)/ || exit 1; \
	done
	install -m 644 dist/sandbox-runner.sysusers \
	    $(DESTDIR)$(SYSUSERSDIR)/sandbox-runner.conf
	install -m 644 dist/sandbox-runner.logrotate \
	    $(DESTDIR)$(SYSCONFDIR)/logrotate.d/sandbox-runner
	$(DIST_SUBST) dist/mod-http-sandbox.conf.in \
	    >$(DESTDIR)$(DATADIR)/nginx/modules-available/mod-http-sandbox.conf
	install -m 644 README.md dist/nginx-sandbox.conf $(DESTDIR)$(DOCDIR)/
	@# the image builder, as in the tree: build.sh finds the language
	@# table at ../../runner/languages.json
	install -m 755 runner/images/build.sh $(DESTDIR)$(IMAGESDIR)/runner/images/
	install -m 644 $(IMAGE_FILES) $(DESTDIR)$(IMAGESDIR)/runner/images/
	ln -sf $(SYSCONFDIR)/sandbox-runner/languages.json \
	    $(DESTDIR)$(IMAGESDIR)/runner/languages.json
	$(DIST_SUBST) dist/sandbox-runner-images.in >$(BUILD)/sandbox-runner-images
	install -m 755 $(BUILD)/sandbox-runner-images $(DESTDIR)$(SBINDIR)/
	@# on this host itself: the users, and systemd to see the units
	if [ -z "$(DESTDIR)" ]; then \
	    if command -v systemd-sysusers >/dev/null; then \
	        systemd-sysusers $(SYSUSERSDIR)/sandbox-runner.conf; fi; \
	    if [ -d /run/systemd/system ]; then systemctl daemon-reload; fi; \
	fi

# Debian packages in build/deb (debian/; tools/deb.sh), lintian-checked
deb: deps
	@tools/deb.sh

# the packages installed into a throwaway container: nginx -t with the
# module, the runner as its unit runs it, systemd-analyze verify
package-test: deps docker build
	@tools/package-test.sh

uninstall:
	rm -f $(DESTDIR)$(NGX_MODULES_DIR)/ngx_http_sandbox_module.so \
	    $(DESTDIR)$(SBINDIR)/sandbox-runner \
	    $(DESTDIR)$(SBINDIR)/sandbox-runner-images \
	    $(DESTDIR)$(UNITDIR)/sandbox-runner.service \
	    $(DESTDIR)$(UNITDIR)/sandbox-docker.service \
	    $(DESTDIR)$(SYSUSERSDIR)/sandbox-runner.conf \
	    $(DESTDIR)$(SYSCONFDIR)/logrotate.d/sandbox-runner \
	    $(DESTDIR)$(DATADIR)/nginx/modules-available/mod-http-sandbox.conf
	rm -rf $(DESTDIR)$(PKGLIBDIR) $(DESTDIR)$(DOCDIR) $(DESTDIR)$(IMAGESDIR)
	@echo "uninstall: $(SYSCONFDIR)/sandbox-runner is left in place"

lint:
	cppcheck --quiet --error-exitcode=1 --enable=warning,portability \
	    --inline-suppr -Icommon -Irunner/src common runner/src runner/init

clean:
	rm -rf $(BUILD) t/servroot*

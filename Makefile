# Twin Studio — build, run and test.
#
#   make run     install what is missing, build, open the studio on the smart-office example
#   make test    install what is missing, go vet, go test ./... (UI tests use Fyne's headless driver;
#                internal/archtest checks the packages' dependency rules)
#   make fuzz    every fuzz target of the module, FUZZTIME each (default 30s): scripts/fuzz.sh
#   make bench   the benchmark table of twin bench
#   make package a Linux package of the studio (binary, .desktop file, icon) in dist/
#
# `deps` installs Debian packages that are missing (with sudo when not root)
# and does nothing when everything is present. It stops with one line when
# the Go it finds is missing or older than GO_MIN (Debian 12's golang-go is
# 1.19): README.md says how to install the official tarball.

GO        ?= go
GO_MIN    := 1.26
FUZZTIME  ?= 30s
BIN       := bin
# The studio's data folder, where its first start installs the bundled
# smart-office example (ui.DataDir); empty: ~/.local/share/twinstudio.
DATA      ?=
APT_PKGS  := gcc pkg-config libgl1-mesa-dev libx11-dev libxcursor-dev libxrandr-dev libxinerama-dev libxi-dev libxxf86vm-dev xvfb mosquitto-clients curl
SUDO      := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: all deps build run test vet race fuzz bench screenshots package clean

all: build

deps:
	@command -v $(GO) >/dev/null || { echo "make: Go $(GO_MIN) or newer is needed and '$(GO)' is not in PATH: install the tarball from https://go.dev/dl/ into /usr/local/go and add /usr/local/go/bin to PATH (README.md, Prerequisites)" >&2; exit 1; }
	@v=$$(GOTOOLCHAIN=local $(GO) version | sed -n 's/^go version go\([0-9][0-9]*\)\.\([0-9][0-9]*\).*/\1 \2/p'); \
	set -- $$v $(subst ., ,$(GO_MIN)); \
	if [ -z "$$v" ] || [ "$$1" -lt "$$3" ] || { [ "$$1" -eq "$$3" ] && [ "$$2" -lt "$$4" ]; }; then \
		echo "make: Go $(GO_MIN) or newer is needed, $$(command -v $(GO)) is $$(GOTOOLCHAIN=local $(GO) env GOVERSION 2>/dev/null || echo older) (Debian 12's golang-go is 1.19): install the tarball from https://go.dev/dl/ into /usr/local/go and put /usr/local/go/bin first in PATH (README.md, Prerequisites)" >&2; \
		exit 1; \
	fi
	@missing=""; for p in $(APT_PKGS); do \
		dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
		echo "installing:$$missing"; \
		$(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; \
	fi

build: deps
	mkdir -p $(BIN)
	CGO_ENABLED=0 $(GO) build -o $(BIN)/twin ./cmd/twin
	$(GO) build -o $(BIN)/twinstudio .

# The studio without a file opens the bundled smart-office example (copied
# into the data folder the first time) with its week simulation running.
run: build
	TWINSTUDIO_DATA=$(DATA) $(BIN)/twinstudio

vet: deps
	$(GO) vet ./...

# Every package builds and tests without cgo except the root (main.go links
# the GL driver); race tests cover the packages with concurrency and those
# that drive them (cmd/twin, simulator, app/chart): about 4 more minutes.
# The tag twinstuck adds __blockForever to UDF runtimes (tests of the
# shutdown path only); its own test runs here too.
test: deps vet
	CGO_ENABLED=0 $(GO) build -o /dev/null ./cmd/twin
	CGO_ENABLED=0 $(GO) vet $$($(GO) list ./... | grep -v '^$(shell $(GO) list -m)$$')
	$(GO) test -count=1 -timeout 20m ./...
	$(GO) vet -tags twinstuck ./engine/goja/
	$(GO) test -count=1 -tags twinstuck -run TestBlockForever ./engine/goja/
	$(GO) test -count=1 -timeout 25m -race ./engine/... ./app/ ./app/chart/ ./ui/ ./cmd/twin/ ./simulator/...

# Every func FuzzXxx in a _test.go file, found by the script, one after the
# other: 11 targets take about 6 minutes at the default FUZZTIME.
fuzz: deps
	GO=$(GO) FUZZTIME=$(FUZZTIME) ./scripts/fuzz.sh

bench: build
	$(BIN)/twin bench

screenshots: deps
	$(GO) test -count=1 -run TestScreenshots ./ui/ -args -screenshots=$(CURDIR)/docs/screenshots

# The fyne tool (fyne.io/tools) builds the studio with cgo in release mode,
# with the metadata of FyneApp.toml, and packs it with its .desktop file and
# icon as a tarball whose Makefile installs it (`sudo make install`). It is
# installed into GOPATH/bin when missing. fyne package raises Build in
# FyneApp.toml and rewrites the file; the file is put back as it was, so the
# version and build are set by hand there.
FYNE_VERSION := v1.7.4
FYNE          = $(shell $(GO) env GOPATH)/bin/fyne
DIST         := dist
APP_VERSION   = $(shell sed -n 's/^Version *= *"\(.*\)"/\1/p' FyneApp.toml)
PACKAGE       = $(DIST)/twinstudio-$(APP_VERSION)-linux-$(shell $(GO) env GOARCH).tar.xz

package: deps
	@command -v xz >/dev/null || { $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq xz-utils; }
	@[ -x $(FYNE) ] || { echo "installing fyne $(FYNE_VERSION)"; GOBIN=$(dir $(FYNE)) $(GO) install fyne.io/tools/cmd/fyne@$(FYNE_VERSION); }
	mkdir -p $(DIST)
	rm -f $(DIST)/twinstudio "Twin Studio.tar.xz"
	cp FyneApp.toml $(DIST)/.FyneApp.toml.orig
	$(FYNE) package --target linux --release --executable $(DIST)/twinstudio; \
		status=$$?; mv -f $(DIST)/.FyneApp.toml.orig FyneApp.toml; exit $$status
	mv -f "Twin Studio.tar.xz" $(PACKAGE)
	@echo "packaged $(PACKAGE):"; tar -tJvf $(PACKAGE)

clean:
	rm -rf $(BIN)

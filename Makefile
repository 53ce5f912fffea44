# Twin Studio — build, run and test.
#
#   make run     install what is missing, build, open the studio on the smart-office example
#   make test    install what is missing, go vet, go test ./... (UI tests use Fyne's headless driver)
#   make bench   the benchmark table (CONTRACT §9)
#   make package a Linux package of the studio (binary, .desktop file, icon) in dist/
#
# `deps` installs Debian packages that are missing (with sudo when not root)
# and does nothing when everything is present.

GO        ?= go
BIN       := bin
# The studio's data folder, where its first start installs the bundled
# smart-office example (ui.DataDir); empty: ~/.local/share/twinstudio.
DATA      ?=
APT_PKGS  := gcc pkg-config libgl1-mesa-dev libx11-dev libxcursor-dev libxrandr-dev libxinerama-dev libxi-dev libxxf86vm-dev xvfb mosquitto-clients
SUDO      := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: all deps build run test vet race fuzz bench screenshots package clean

all: build

deps:
	@missing=""; for p in $(APT_PKGS); do \
		dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
		echo "installing:$$missing"; \
		$(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; \
	fi
	@command -v $(GO) >/dev/null || { echo "Go is not installed: see https://go.dev/doc/install" >&2; exit 1; }

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
# the GL driver); race tests cover the packages with concurrency.
test: deps vet
	CGO_ENABLED=0 $(GO) build -o /dev/null ./cmd/twin
	CGO_ENABLED=0 $(GO) vet $$($(GO) list ./... | grep -v '^$(shell $(GO) list -m)$$')
	$(GO) test -count=1 ./...
	$(GO) test -count=1 -race ./engine/... ./app/ ./ui/

fuzz: deps
	$(GO) test -run=NONE -fuzz=FuzzParse -fuzztime=30s ./engine/yaml/
	$(GO) test -run=NONE -fuzz=FuzzDecode -fuzztime=30s ./engine/bbolt/
	$(GO) test -run=NONE -fuzz=FuzzDuplicatePattern -fuzztime=30s ./engine/

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
FYNE         := $(shell $(GO) env GOPATH)/bin/fyne
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

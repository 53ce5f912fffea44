# Twin Studio — build, run and test.
#
#   make run     install what is missing, build, open the studio on the smart-office example
#   make test    install what is missing, go vet, go test ./... (UI tests use Fyne's headless driver)
#   make bench   the benchmark table (CONTRACT §9)
#
# `deps` installs Debian packages that are missing (with sudo when not root)
# and does nothing when everything is present.

GO        ?= go
BIN       := bin
DATA      ?= $(HOME)/.local/share/twinstudio
EXAMPLE   := examples/smart-office/provision.yaml
APT_PKGS  := gcc pkg-config libgl1-mesa-dev libx11-dev libxcursor-dev libxrandr-dev libxinerama-dev libxi-dev libxxf86vm-dev xvfb mosquitto-clients
SUDO      := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: all deps build run test vet race fuzz bench screenshots clean

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

run: build
	mkdir -p $(DATA)
	@if [ ! -f $(DATA)/smart-office.twin ]; then \
		$(BIN)/twin provision --project $(DATA)/smart-office.twin $(EXAMPLE); \
	fi
	$(BIN)/twinstudio $(DATA)/smart-office.twin

vet: deps
	$(GO) vet ./...

# Every package builds and tests without cgo except the root (main.go links
# the GL driver); race tests cover the packages with concurrency.
test: deps vet
	CGO_ENABLED=0 $(GO) build -o /dev/null ./cmd/twin
	CGO_ENABLED=0 $(GO) vet $$($(GO) list ./... | grep -v '^$(shell $(GO) list -m)$$')
	$(GO) test -count=1 ./...
	$(GO) test -count=1 -race ./engine/... ./app/

fuzz: deps
	$(GO) test -run=NONE -fuzz=FuzzParse -fuzztime=30s ./engine/yaml/
	$(GO) test -run=NONE -fuzz=FuzzDecode -fuzztime=30s ./engine/bbolt/

bench: build
	$(BIN)/twin bench

screenshots: deps
	$(GO) test -count=1 -run TestScreenshots ./ui/ -args -screenshots=$(CURDIR)/docs/screenshots

clean:
	rm -rf $(BIN)

SWIFT ?= swift
PREFIX ?= /usr/local
SWIFT_FORMAT ?= swift-format
BIN = .build/release/layersweep

.PHONY: all deps build release test unit-test integration-test lint format demo bench install clean

all: build

deps:
	@scripts/install-deps.sh

build: deps
	$(SWIFT) build

release: deps
	$(SWIFT) build -c release

lint:
	$(SWIFT_FORMAT) lint --strict --recursive --parallel Package.swift Sources Tests

format:
	$(SWIFT_FORMAT) format --in-place --recursive --parallel Package.swift Sources Tests

unit-test: deps
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build --filter LayersweepKitTests

integration-test: deps
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build --filter IntegrationTests

test: deps lint
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build

demo: release
	scripts/demo.sh $(BIN)

bench: release
	scripts/bench.sh $(BIN)

install: release
	install -D -m 0755 $(BIN) $(DESTDIR)$(PREFIX)/bin/layersweep

clean:
	rm -rf .build

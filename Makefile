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

UNITDIR ?= $(PREFIX)/lib/systemd/system

# Installs the binary and the systemd units, with ExecStart pointing at the installed binary.
# Enable the nightly run with: systemctl daemon-reload && systemctl enable --now layersweep-clean.timer
# and the watchdog with: systemctl enable --now layersweep-watch.service
install: release
	install -D -m 0755 $(BIN) $(DESTDIR)$(PREFIX)/bin/layersweep
	install -d -m 0755 $(DESTDIR)$(UNITDIR)
	for unit in layersweep-clean.service layersweep-watch.service; do \
		sed 's|/usr/local/bin/layersweep|$(PREFIX)/bin/layersweep|' contrib/systemd/$$unit \
			> $(DESTDIR)$(UNITDIR)/$$unit; \
		chmod 0644 $(DESTDIR)$(UNITDIR)/$$unit; \
	done
	install -m 0644 contrib/systemd/layersweep-clean.timer $(DESTDIR)$(UNITDIR)/layersweep-clean.timer

clean:
	rm -rf .build

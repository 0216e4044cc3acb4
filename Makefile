.PHONY: check format lint types imports docs test demo bench

check: format lint types imports docs test

format:
	ruff format src tests scripts bench

lint:
	ruff check src tests scripts bench

types:
	mypy

imports:
	lint-imports

test:
	python3 -m pytest -n auto

demo:
	placet demo

bench:
	python3 bench/bench_policy.py
	python3 bench/bench_decide.py --subjects 10000000
	python3 bench/bench_ledger.py
	python3 bench/bench_audience.py --subscribers 3000000
	python3 bench/bench_http.py --subjects 10000 --workers 1,2
	python3 bench/bench_retention.py --rows 111000000 --postgres-rows 10000000

docs:
	python3 scripts/gen_docs.py

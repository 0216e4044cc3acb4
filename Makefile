.PHONY: check format lint types imports test demo

check: format lint types imports test

format:
	ruff format src tests

lint:
	ruff check src tests

types:
	mypy

imports:
	lint-imports

test:
	python3 -m pytest -n auto

demo:
	placet demo

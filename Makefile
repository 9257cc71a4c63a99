# pitchgen: `make demo` and `make test` work on a fresh machine (see README).
VENV    ?= .venv
PY      := $(VENV)/bin/python
PITCHGEN := $(VENV)/bin/pitchgen
STAMP   := $(VENV)/.installed-stamp
DATE    ?= 2026-11-20

# Models are never fetched from a hub at run time.
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export TOKENIZERS_PARALLELISM := false
export HF_HUB_DISABLE_PROGRESS_BARS := 1

.PHONY: install index demo test eval-demos benchmark clean templates locales locales-extract locales-update

$(PY):
	python3 -m venv $(VENV)

# torch 2.13.0 (CPU) goes in first, or pip pulls the CUDA build for sentence-transformers.
$(STAMP): $(PY) pyproject.toml
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q torch==2.13.0
	$(PY) -m pip install -q -e '.[test]'
	touch $(STAMP)

install: $(STAMP) locales

# gettext catalogs (babel): extract and update are for translators; compile runs on every build (.mo files are not committed)
locales-extract: $(STAMP)
	$(VENV)/bin/pybabel extract -k pgettext:1c,2 -k npgettext:1c,2,3 -c TRANSLATORS: --project=pitchgen --version=0.1.0 -o locales/pitchgen.pot src/pitchgen/generate/messages.py

locales-update: locales-extract
	$(VENV)/bin/pybabel update -i locales/pitchgen.pot -d locales -D pitchgen

locales: $(STAMP)
	$(VENV)/bin/pybabel compile -d locales -D pitchgen --statistics

index: install
	$(PITCHGEN) index

demo: index
	$(PITCHGEN) generate --country VN --sector e_government --lang vi --out out/vn-e_government-vi --date $(DATE) --force
	$(PITCHGEN) generate --country PE --sector disaster_prevention --lang es --out out/pe-disaster_prevention-es --date $(DATE) --force
	$(PITCHGEN) generate --country BR --sector telemedicine --lang pt --out out/br-telemedicine-pt --date $(DATE) --force
	$(PITCHGEN) generate --country PH --sector broadcasting --lang en --out out/ph-broadcasting-en --date $(DATE) --force
	$(PITCHGEN) karte --country VN --lang vi --out out/vn-karte-vi.docx --date $(DATE) --force

# The whole suite: unit + doctests + integration, then the faithfulness checks on freshly generated demo outputs.
test: install
	$(PITCHGEN) cases check --verify-texts
	$(PY) -m pytest -q tests src/pitchgen
	$(MAKE) --no-print-directory eval-demos

eval-demos: install
	rm -rf build/eval
	$(PITCHGEN) generate --country VN --sector e_government --lang vi --out build/eval/vn-e_government-vi --date $(DATE)
	$(PITCHGEN) generate --country PE --sector disaster_prevention --lang es --out build/eval/pe-disaster_prevention-es --date $(DATE)
	$(PITCHGEN) eval build/eval/vn-e_government-vi
	$(PITCHGEN) eval build/eval/pe-disaster_prevention-es
	$(PY) evals/retrieval_eval.py --check --out-dir build/eval/retrieval
	$(PITCHGEN) eval --suite --report-dir build/eval/suite-report --junit build/eval/junit.xml

benchmark: index
	$(PY) benchmarks/bench_pipeline.py

templates: install
	$(PY) templates/pptx/build_template.py
	$(PY) templates/docx/build_template.py

clean:
	rm -rf build out .cache

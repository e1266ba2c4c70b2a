# make demo: the whole pipeline on xr-phantom data, sized to finish in minutes on a
# 2-core laptop without a GPU: small images, few images per class, a short GAN run,
# few epochs. The same rules as `make small`/`make micro`, with other variables.

DEMO_ROOT ?= runs/demo
DEMO_PER_CLASS ?= 60
DEMO_RAW_PER_CLASS ?= 140
DEMO_SETTINGS ?= RUN_ROOT=$(DEMO_ROOT) DATA=$(DEMO_ROOT)/raw CROP_FLAGS= IMAGE_SIZE=64 \
  SMALL_PER_CLASS=$(DEMO_PER_CLASS) MICRO_PER_CLASS=$(shell expr $(DEMO_PER_CLASS) / 2) \
  AUG_PER_CLASS=$(DEMO_PER_CLASS) GAN_PER_CLASS=$(DEMO_PER_CLASS) \
  GAN_KIMG=2 GAN_SNAP=1 GAN_FLAGS="--gamma 1.024 --cbase 2048 --cmax 64" \
  RUNS=2 EPOCHS=4 CLS_IMAGE_SIZE=80 DEVICE=cpu

.PHONY: demo
demo: build
	$(MAKE) --no-print-directory $(DEMO_ROOT)/raw/phantom.json
	$(MAKE) --no-print-directory both $(DEMO_SETTINGS)
	@echo "demo: report in $(DEMO_ROOT)/report/report.md" >&2

$(DEMO_ROOT)/raw/phantom.json:
	$(XR_BIN)/xr-phantom $(DEMO_ROOT)/raw --per-class $(DEMO_RAW_PER_CLASS) --size 128 --seed $(SEED)

# make demo: the whole pipeline (both data sizes, Table 4) on xr-phantom data, sized
# to finish in about ten minutes on a 2-core laptop without a GPU: three classes,
# 32x32 crops (the GAN's resolution; the classifier upsamples them to its minimum
# input, 75x75), 40 and 20 training images per class, a 0.5 kimg GAN with few
# channels, 2 classifier runs of 3 epochs. The same rules as `make small`/`make
# micro`, with other variables; the numbers it reports show the pipeline working,
# not the paper's findings (no pretrained weights, tiny data, short training).

DEMO_ROOT ?= runs/demo
DEMO_PER_CLASS ?= 40
DEMO_RAW_PER_CLASS ?= 80
DEMO_CLASSES ?= COVID,Normal,Viral Pneumonia
DEMO_SETTINGS ?= RUN_ROOT=$(DEMO_ROOT) DATA=$(DEMO_ROOT)/raw CROP_FLAGS= IMAGE_SIZE=32 \
  SMALL_PER_CLASS=$(DEMO_PER_CLASS) MICRO_PER_CLASS=$(shell expr $(DEMO_PER_CLASS) / 2) \
  AUG_PER_CLASS=$(DEMO_PER_CLASS) GAN_PER_CLASS=$(DEMO_PER_CLASS) \
  GAN_KIMG=0.5 GAN_TICK=0.25 GAN_SNAP=1 GAN_FLAGS="--gamma 1.024 --cbase 512 --cmax 32" \
  RUNS=2 EPOCHS=3 CLS_IMAGE_SIZE=75 DEVICE=cpu

.PHONY: demo
demo: build
	$(MAKE) --no-print-directory $(DEMO_ROOT)/raw/phantom.json
	$(MAKE) --no-print-directory both $(DEMO_SETTINGS)
	@echo "demo: report in $(DEMO_ROOT)/report/report.md" >&2

$(DEMO_ROOT)/raw/phantom.json:
	$(XR_BIN)/xr-phantom $(DEMO_ROOT)/raw --per-class $(DEMO_RAW_PER_CLASS) --size 128 \
	  --classes "$(DEMO_CLASSES)" --seed $(SEED)

# The experiments of the paper and beyond: make small, make micro, make sweep.
# Settings are the make variables of experiment.mk (the paper's values by default).

include pipelines/experiment.mk

SMALL_PER_CLASS ?= $(or $(PER_CLASS),1000)
MICRO_PER_CLASS ?= $(or $(PER_CLASS),500)
SIZES ?= 2000 1000 500 250

.PHONY: small micro sweep both

# small: 1000 training images per class; micro: 500 of those, same val/test.
$(eval $(call xr_experiment,small,$(SMALL_PER_CLASS),))
$(eval $(call xr_experiment,micro,$(MICRO_PER_CLASS),--subset-of $(RUN_ROOT)/small/split/split.csv,$(RUN_ROOT)/small/split/split.csv))

# Both sizes and the change from small to micro (not the paper's Table 4, which is
# another article's results at 2000 per class; xr-report shows it beside a run of that size).
both: $(RUN_ROOT)/report/report.md
$(RUN_ROOT)/report/report.md: $(RUN_ROOT)/small/report/report.md $(RUN_ROOT)/micro/report/report.md
	$(XR_BIN)/xr-report $(RUN_ROOT)/small $(RUN_ROOT)/micro --out $(RUN_ROOT)/report

# The data-size sweep: each size a subset of the largest, same val/test.
SWEEP_SIZES := $(shell echo $(SIZES) | tr ' ' '\n' | sort -rn)
SWEEP_LARGEST := $(firstword $(SWEEP_SIZES))
$(foreach n,$(SWEEP_SIZES),$(eval $(call xr_experiment,n$(n),$(n),$(if $(filter $(n),$(SWEEP_LARGEST)),,--subset-of $(RUN_ROOT)/n$(SWEEP_LARGEST)/split/split.csv),$(if $(filter $(n),$(SWEEP_LARGEST)),,$(RUN_ROOT)/n$(SWEEP_LARGEST)/split/split.csv))))
sweep: $(RUN_ROOT)/sweep/report.md
$(RUN_ROOT)/sweep/report.md: $(foreach n,$(SWEEP_SIZES),$(RUN_ROOT)/n$(n)/report/report.md)
	$(XR_BIN)/xr-report $(foreach n,$(SWEEP_SIZES),$(RUN_ROOT)/n$(n)) --out $(RUN_ROOT)/sweep

# The paper's experiment as make rules: crop -> split -> three training sets (none,
# classical, GAN) -> inc3-train --runs N for each -> cls-eval -> report.
#
# $(call xr_experiment,NAME,PER_CLASS,SPLIT_EXTRA) defines the targets of one data
# size under $(RUN_ROOT)/NAME/: a folder per stage, each finished stage marked by a
# file that only appears when the stage succeeded, so an interrupted run resumes at
# the first unfinished stage, and a user can swap a stage by putting their own
# files in its folder and touching the marker.
#
# Every heavy command is prefixed with $(LAUNCH) (e.g. LAUNCH="srun --gres=gpu:1").

# The tools: the Makefile's BUILD_DIR (make demo BUILD_DIR=b2 runs b2/bin), else build/.
BUILD_DIR ?= build
XR_BIN ?= $(CURDIR)/$(BUILD_DIR)/bin
LAUNCH ?=

# The paper's settings (ARCHITECTURE.md), each overridable on the command line.
DATA ?=
RUN_NAME ?= $(notdir $(patsubst %/,%,$(DATA)))
RUN_ROOT ?= runs/$(RUN_NAME)
IMAGE_SIZE ?= 128
EXCLUDE ?=
# The paper crops every image to its lung mask (the database has a mask for every
# image of every class): xr-crop's default, which skips an image without a mask.
# --no-mask uses such images whole; --ignore-masks frames every image whole (for a
# data set where only some classes have masks, such as ../shared/data's sample).
CROP_FLAGS ?=
SEED ?= 1
DEVICE ?= auto
AUG_PER_CLASS ?= 1000
GAN_PER_CLASS ?= 1000
GAN_TICK ?= 4
GAN_SNAP ?= 50
GAN_FLAGS ?= --gamma 1.024
RUNS ?= 5
EPOCHS ?= 11
BATCH ?= 32
CLS_IMAGE_SIZE ?= $(IMAGE_SIZE)
CLS_FLAGS ?=

# Settings that are NOT the paper's, and why:
# - WEIGHTS: the paper starts Inception-v3 from ImageNet weights. Nothing is
#   downloaded here, so the default trains from scratch; pass the converted Keras
#   file (README.md, "Pretrained weights") for the paper's setting.
# - METRIC_FEATURES: the paper's FID/KID use the reference Inception-v3 features,
#   which need the FID network's weights (METRIC_FEATURES=inception
#   METRIC_WEIGHTS=...). "random" always runs but its values are not comparable
#   with published numbers.
# - GAN_KIMG: the paper gives no training length in kimg, only about 7 days on one
#   K80; 5000 kimg is this toolkit's choice, and the snapshot with the best KID is
#   kept whatever the length.
WEIGHTS ?= none
METRIC_FEATURES ?= random
METRIC_WEIGHTS ?=
# METRIC_SIZE: the feature network's input side for random and torchvision features
# (gan-train --metric-size, fid-kid --input-size); 0 is the tools' 299. The reference
# Inception features are always 299.
METRIC_SIZE ?= 0
GAN_KIMG ?= 5000
PIPELINES := none classical gan

# THREADS: CPU threads per tool (--threads; empty: the tools' default, all cores). Set
# it when stages run side by side (make -j), so that they share the cores, not fight
# over them.
THREADS ?=
xr_run = $(LAUNCH) $(XR_BIN)/$(1) --seed $(SEED)$(if $(THREADS), --threads $(THREADS))
# For tools whose result is their stdout: the target appears only when complete.
xr_capture = > $@.tmp && mv -f $@.tmp $@ || { rm -f $@.tmp; false; }

# Shared by every size: the cropped images.
$(RUN_ROOT)/cropped/manifest.csv:
	@test -n "$(DATA)" || { echo "set DATA=<raw dataset folder> (see README.md)" >&2; exit 64; }
	$(call xr_run,xr-crop) "$(DATA)" $(RUN_ROOT)/cropped --size $(IMAGE_SIZE) $(CROP_FLAGS) \
	  $(if $(EXCLUDE),--exclude "$(EXCLUDE)")

define xr_experiment
$(1)_DIR := $(RUN_ROOT)/$(1)

$$($(1)_DIR)/split/split.csv: $(RUN_ROOT)/cropped/manifest.csv $(4)
	$$(call xr_run,xr-split) $(RUN_ROOT)/cropped $$($(1)_DIR)/split --train-per-class $(2) $(3)

# Classical augmentation of the training split.
$$($(1)_DIR)/classical/augment.csv: $$($(1)_DIR)/split/split.csv
	$$(call xr_run,xr-augment) $$($(1)_DIR)/split/train $$($(1)_DIR)/classical --per-class $$(AUG_PER_CLASS)

# The GAN: train on the training split, sample from the best-KID snapshot, measure.
# The stage's marker is gan-train's result (its stdout), which appears only when the
# run is complete: best.safetensors is written at the first snapshot, so a run killed
# later (SIGKILL, a lost machine) must not count as trained; make runs gan-train
# again, which resumes from its last snapshot.
$$($(1)_DIR)/gan-train.json: $$($(1)_DIR)/split/split.csv
	$$(call xr_run,gan-train) --data $$($(1)_DIR)/split/train --val $$($(1)_DIR)/split/val --out $$($(1)_DIR)/gan-run \
	  --kimg $$(GAN_KIMG) --tick $$(GAN_TICK) --snap $$(GAN_SNAP) --device $$(DEVICE) \
	  --metric-features $$(METRIC_FEATURES) $$(if $$(METRIC_WEIGHTS),--metric-weights $$(METRIC_WEIGHTS)) \
	  --metric-size $$(METRIC_SIZE) $$(GAN_FLAGS) \
	  $$(if $$(wildcard $$($(1)_DIR)/gan-run/resume.json),--resume $$($(1)_DIR)/gan-run) $$(xr_capture)

$$($(1)_DIR)/gan/classes.txt: $$($(1)_DIR)/gan-train.json
	$$(call xr_run,gan-sample) --model $$($(1)_DIR)/gan-run/best.safetensors --per-class $$(GAN_PER_CLASS) --out $$($(1)_DIR)/gan --device $$(DEVICE)

$$($(1)_DIR)/gan-quality.json: $$($(1)_DIR)/gan/classes.txt
	$$(call xr_run,fid-kid) $$($(1)_DIR)/split/train $$($(1)_DIR)/gan --features $$(METRIC_FEATURES) \
	  --input-size $$(METRIC_SIZE) --floor-val $$($(1)_DIR)/split/val $$(if $$(METRIC_WEIGHTS),--weights $$(METRIC_WEIGHTS)) \
	  --device $$(DEVICE) $$(xr_capture)

# The classical images measured as the GAN's samples are (same split, features and
# seed): the scale xr-report reads the GAN's FID/KID on, and warns against.
$$($(1)_DIR)/classical-quality.json: $$($(1)_DIR)/classical/augment.csv
	$$(call xr_run,fid-kid) $$($(1)_DIR)/split/train $$($(1)_DIR)/classical --features $$(METRIC_FEATURES) \
	  --input-size $$(METRIC_SIZE) --no-floor $$(if $$(METRIC_WEIGHTS),--weights $$(METRIC_WEIGHTS)) --device $$(DEVICE) $$(xr_capture)

# The classifier for each pipeline: the real training images plus its extra images.
$(1)_TRAIN_none :=
$(1)_TRAIN_classical := --train $$($(1)_DIR)/classical
$(1)_TRAIN_gan := --train $$($(1)_DIR)/gan
$(1)_DEP_none :=
$(1)_DEP_classical := $$($(1)_DIR)/classical/augment.csv
$(1)_DEP_gan := $$($(1)_DIR)/gan/classes.txt

$$(foreach p,$$(PIPELINES),$$(eval $$(call xr_classifier,$(1),$$(p))))

$(1): $$($(1)_DIR)/report/report.md
$$($(1)_DIR)/report/report.md: $$(foreach p,$$(PIPELINES),$$($(1)_DIR)/eval/$$(p)/metrics.json) \
    $$($(1)_DIR)/gan-quality.json $$($(1)_DIR)/classical-quality.json
	$$(XR_BIN)/xr-report $$($(1)_DIR) --out $$($(1)_DIR)/report
endef

define xr_classifier
$$($(1)_DIR)/cls/$(2)/model.safetensors: $$($(1)_DIR)/split/split.csv $$($(1)_DEP_$(2))
	$$(call xr_run,inc3-train) --train $$($(1)_DIR)/split/train $$($(1)_TRAIN_$(2)) \
	  --val $$($(1)_DIR)/split/val --out $$($(1)_DIR)/cls/$(2) --runs $$(RUNS) --epochs $$(EPOCHS) \
	  --batch $$(BATCH) --weights $$(WEIGHTS) --image-size $$(CLS_IMAGE_SIZE) --device $$(DEVICE) $$(CLS_FLAGS)

# cls-eval writes metrics.json itself, last and atomically (after predictions.csv and
# confusion.csv), so the target appears only when the evaluation is complete; the copy
# it prints is not needed.
$$($(1)_DIR)/eval/$(2)/metrics.json: $$($(1)_DIR)/cls/$(2)/model.safetensors
	$$(call xr_run,cls-eval) --model $$($(1)_DIR)/cls/$(2) --test $$($(1)_DIR)/split/test \
	  --out $$(@D) --all-runs --device $$(DEVICE) > /dev/null
endef

#!/bin/bash
# Usage: device_train.sh DPFLOW SECONDS_FOR_TRAINING [resume]
# Generates the phantom training study (deterministic), trains the default model on CUDA for at most
# SECONDS (epoch checkpoints), then finalises (bits/dim, calibration, card) from the last checkpoint.
DP=$1; BUDGET=$2; MODE=$3
D=/opt/deb12/usr/lib/x86_64-linux-gnu
export LD_LIBRARY_PATH=$D
S=/tmp/phantom-train; M=/tmp/model/phantom128-glow.safetensors
mkdir -p /tmp/model
[ "$MODE" = resume ] && cp .devdeps/ckpt/* /tmp/model/
time $DP phantom --out $S --patients 1500 --images-per-patient 4 --size 128 --seed 11 | tail -2
ARGS="--manifest $S/manifest.csv --out $M --attributes pathology,sex,view --size 128 --fit resize --levels 4 --steps 8 --hidden 128 --batch 64 --lr 1e-3 --warmup 200 --seed 1 --progress-every 50"
R=""; [ "$MODE" = resume ] && R="--resume"
timeout $BUDGET $DP train $ARGS --epochs 400 $R > $OUT/train.log 2>&1
tail -5 $OUT/train.log
E=$(grep -o "checkpoint written" $OUT/train.log | wc -l)
echo "epochs this run: $E"
python3 - <<PY
import json,struct
d=open("/tmp/model/phantom128-glow.checkpoint.safetensors","rb").read(); n=struct.unpack("<Q",d[:8])[0]
m=json.loads(d[8:8+n])["__metadata__"]; print("checkpoint epoch", m["checkpoint_epoch"], "step", m["checkpoint_step"])
open("/tmp/epoch","w").write(m["checkpoint_epoch"])
PY
$DP train $ARGS --epochs $(cat /tmp/epoch) --resume > $OUT/finalize.log 2>&1; tail -3 $OUT/finalize.log
cp /tmp/model/* $OUT/ ; ls -la $OUT
$DP model-info $M | grep -A3 bits
$DP model-info $M --bench 50 --device cuda | tail -3
$DP model-info $M --bench 20 --device cpu --threads 2 | tail -3

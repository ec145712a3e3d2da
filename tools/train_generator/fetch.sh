#!/usr/bin/env bash
# Fetch the public training data of the tuned generator into $GENERATOR_TRAIN_DATA (default /work/data).
# Only the files used: CLINC150, HWU64 (train fold), paraKQC, the SGD *train* split. SNIPS/ATIS
# are never fetched (they are the reported benchmarks). Nothing here is committed to the repo.
set -euo pipefail
DATA="${GENERATOR_TRAIN_DATA:-/work/data}"
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT
get() {  # repo path-in-repo dest
  if [ ! -e "$DATA/$3" ]; then
    mkdir -p "$(dirname "$DATA/$3")"
    [ -d "$TMP/$1" ] || git clone -q --depth 1 --filter=blob:none --no-checkout "https://github.com/$1" "$TMP/$1"
    git -C "$TMP/$1" archive HEAD "$2" | tar -x -C "$TMP"
    mv "$TMP/$2" "$DATA/$3"
  fi
}
HWU=CrossValidation/autoGeneFromRealAnno/autoGene_2018_03_22-13_01_25_169/CrossValidation/KFold_1/trainset
get clinc/oos-eval data/data_full.json clinc/data_full.json
get xliuhw/NLU-Evaluation-Data "$HWU" hwu64/trainset
get warnikchow/paraKQC data/paraKQC_v1.txt parakqc/paraKQC_v1.txt
get google-research-datasets/dstc8-schema-guided-dialogue train sgd/train
echo "training data in $DATA"

#!/usr/bin/env bash
# A session against two real Orthanc instances on loopback, as a privacy officer runs it: seed a
# "clinical" PACS with phantom DICOMs, find, get, release, push to a "research" PACS, with the
# REST API's instance counts before and after; then the fault runs (wrong AE title, refused
# association, unknown host, the PACS killed mid-retrieve and mid-push) with their messages.
# Usage: tools/pacs/orthanc-session.sh [BUILD_DIR]   (default build; needs orthanc, dcmtk, curl)
set -uo pipefail
build=${1:-build}
dpflow="$build/app/dpflow"
model=models/phantom128-glow.safetensors
work=$(mktemp -d /tmp/dpflow-pacs-session.XXXXXX)
pids=()
cleanup() { for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null; wait "$p" 2>/dev/null; done; rm -rf "$work"; }
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
declare -A dicom http pid
start_orthanc() {  # NAME AET
    local name=$1 aet=$2
    [ -n "${dicom[$name]:-}" ] || { dicom[$name]=$(free_port); http[$name]=$(free_port); }
    mkdir -p "$work/$name"
    cat > "$work/$name.json" <<JSON
{"Name": "$aet", "StorageDirectory": "$work/$name", "IndexDirectory": "$work/$name", "DicomAet": "$aet",
 "DicomPort": ${dicom[$name]}, "HttpPort": ${http[$name]}, "RemoteAccessAllowed": false, "AuthenticationEnabled": false,
 "DicomCheckCalledAet": true, "DicomAlwaysAllowEcho": true, "DicomAlwaysAllowStore": true, "DicomAlwaysAllowFind": true,
 "DicomAlwaysAllowGet": true, "DicomModalities": {}, "Plugins": [], "StableAge": 1}
JSON
    Orthanc "$work/$name.json" >> "$work/$name.log" 2>&1 &
    pid[$name]=$!; pids+=($!)
    for _ in $(seq 100); do curl -sf "http://127.0.0.1:${http[$name]}/system" > /dev/null && return 0; sleep 0.1; done
    echo "Orthanc $name did not start"; tail "$work/$name.log"; exit 1
}
count() { curl -s "http://127.0.0.1:${http[$1]}/statistics" | python3 -c 'import json,sys; print(json.load(sys.stdin)["CountInstances"])'; }
run() { echo; echo "\$ $*"; "$@"; echo "(exit $?)"; }

"$dpflow" phantom --out "$work/films" --patients 4 --images-per-patient 2 --size 256 --format dcm --seed 3 > /dev/null
start_orthanc clinical CLINICAL
start_orthanc research RESEARCH
C="CLINICAL@127.0.0.1:${dicom[clinical]}"; R="RESEARCH@127.0.0.1:${dicom[research]}"
storescu -aec CLINICAL 127.0.0.1 "${dicom[clinical]}" "$work"/films/*.dcm
audit="--audit $work/pacs-audit.jsonl"
echo "== REST before: clinical $(count clinical) instances, research $(count research) instances"
run "$dpflow" pacs echo --peer "$C"
run "$dpflow" pacs find --peer "$C" --level study $audit
run "$dpflow" pacs find --peer "$C" --level series --key Modality=CR $audit
run "$dpflow" pacs get --peer "$C" --out "$work/cache" --labels "$work/films/manifest.csv" --join sop $audit
run "$dpflow" release --input "$work/cache/manifest.csv" --model $model --epsilon 1e5 --keep pathology,sex,view \
    --format dcm --out "$work/release" --push "$R"
echo "== REST after: clinical $(count clinical) instances, research $(count research) instances"
echo "== PHI tags of one research instance:"
id=$(curl -s "http://127.0.0.1:${http[research]}/instances" | python3 -c 'import json,sys; print(json.load(sys.stdin)[0])')
curl -s "http://127.0.0.1:${http[research]}/instances/$id/simplified-tags" | python3 -c '
import json,sys; t=json.load(sys.stdin)
for k in ["PatientName","PatientID","PatientBirthDate","AccessionNumber","InstitutionName","StudyInstanceUID","SOPInstanceUID"]: print("  %s = %r" % (k, t.get(k, "(absent)")))'

echo; echo "== Faults"
run "$dpflow" pacs echo --peer "WRONG@127.0.0.1:${dicom[clinical]}"
run "$dpflow" pacs echo --peer "CLINICAL@127.0.0.1:$(free_port)"
run "$dpflow" pacs echo --peer "CLINICAL@no-such-host.invalid:104"
run "$dpflow" pacs echo --peer "CLINICAL-127.0.0.1"

echo; echo "== The clinical PACS killed mid-retrieve (after 3 instances are in the cache)"
"$dpflow" pacs get --peer "$C" --out "$work/cache2" $audit > "$work/get.out" 2>&1 &
getpid=$!
until [ "$(find "$work/cache2" -name '*.dcm' 2>/dev/null | wc -l)" -ge 3 ]; do sleep 0.005; done
kill -9 "${pid[clinical]}"; wait "${pid[clinical]}" 2>/dev/null; wait "$getpid"; echo "(exit $?)"; tr '\r' '\n' < "$work/get.out" | tail -6
echo "cache holds $(find "$work/cache2" -name '*.dcm' | wc -l) whole instances, $(find "$work/cache2" -name '*.partial' | wc -l) partial files"
start_orthanc clinical CLINICAL
run "$dpflow" pacs get --peer "$C" --out "$work/cache2" $audit

echo; echo "== The research PACS killed mid-push (after 3 instances are recorded delivered)"
start_orthanc research2 RESEARCH
R2="RESEARCH@127.0.0.1:${dicom[research2]}"
"$dpflow" release --input "$work/cache/manifest.csv" --model $model --epsilon 1e5 --keep pathology,sex,view \
    --format dcm --out "$work/release2" --push "$R2" > "$work/push.out" 2>&1 &
pushpid=$!
pushed() { grep -c '"event":"pushed"' "$work/release2/audit.jsonl" 2>/dev/null || true; }
until [ "$(pushed)" -ge 3 ] 2>/dev/null; do sleep 0.005; done
kill -9 "${pid[research2]}"; wait "${pid[research2]}" 2>/dev/null; wait "$pushpid"; echo "(exit $?)"; tr '\r' '\n' < "$work/push.out" | grep -v QStandardPaths | tail -8
start_orthanc research2 RESEARCH
echo "== REST after restart: research2 holds $(count research2); the audit trail says $(pushed) delivered"
run "$dpflow" release --input "$work/cache/manifest.csv" --model $model --epsilon 1e5 --keep pathology,sex,view \
    --format dcm --out "$work/release2" --push "$R2"
echo "== REST at the end: research2 holds $(count research2) instances"
run "$dpflow" pacs purge --out "$work/cache" $audit
echo; echo "== The PACS audit trail:"; cat "$work/pacs-audit.jsonl"

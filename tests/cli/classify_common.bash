# Fixtures shared by inc3-train.bats and cls-eval.bats: tiny class folders
# (4 images a class, 75x75: the smallest Inception-v3 input) and the metadata of a
# safetensors file read with the Python standard library.

# make_split ROOT N: ROOT/{train,val,test}/{A,B,C c}/ with N images each; the
# classes differ by pattern (flat, gradient, box) so that they are separable;
# the flat values differ between splits so that no two folders hash alike.
make_split() {
  local root=$1 n=$2 s i k=0
  for s in train val test; do
    k=$((k + 1))
    for ((i = 0; i < n; i++)); do
      make_png "$root/$s/A/a$i.png" 75 75 --pattern flat --value $((40 + 10 * i + k))
      make_png "$root/$s/B/b$i.png" 75 75 --pattern gradient
      make_png "$root/$s/C c/c$i.png" 75 75 --pattern box
    done
  done
}

# safetensors_meta FILE KEY: one value of the file's __metadata__.
safetensors_meta() {
  python3 - "$1" "$2" <<'PY'
import json, struct, sys
with open(sys.argv[1], "rb") as f:
    n = struct.unpack("<Q", f.read(8))[0]
    header = json.loads(f.read(n))
print(header.get("__metadata__", {}).get(sys.argv[2], ""))
PY
}

# safetensors_names FILE: tensor names, one a line, sorted.
safetensors_names() {
  python3 - "$1" <<'PY'
import json, struct, sys
with open(sys.argv[1], "rb") as f:
    n = struct.unpack("<Q", f.read(8))[0]
    header = json.loads(f.read(n))
print("\n".join(sorted(k for k in header if k != "__metadata__")))
PY
}

# json_get EXPR: evaluates a Python expression on the JSON document in $output (as j).
json_get() {
  python3 -c "import json,sys; j=json.loads(sys.stdin.read()); print($1)" <<<"$output"
}

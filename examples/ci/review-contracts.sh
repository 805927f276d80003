#!/usr/bin/env bash
# Reviews changed data contracts with dq: `dq lint` on each, and `dq diff`
# against its version at BASE, collected as Markdown for a pull-request
# comment. Exit 1 when a contract fails lint or has a breaking change without
# a major version bump; 2 when dq could not run.
#
#   review-contracts.sh BASE [FILE...]
#
# Without FILEs, every contract (*.yaml, *.yml under CONTRACTS_DIR, default
# contracts/) that differs between BASE and the working tree is reviewed. The
# Markdown goes to REVIEW_OUTPUT (default: dq-review.md).
set -uo pipefail
base="${1:?usage: review-contracts.sh BASE [FILE...]}"
shift
dir="${CONTRACTS_DIR:-contracts}"
output="${REVIEW_OUTPUT:-dq-review.md}"
dq="${DQ:-dq}"

if [ $# -gt 0 ]; then
  files=("$@")
else
  mapfile -t files < <(git diff --name-only --no-renames --diff-filter=AM "$base" -- "$dir" | grep -E '\.ya?ml$')
fi

: > "$output"
status=0
old=$(mktemp)
trap 'rm -f "$old"' EXIT
for file in "${files[@]}"; do
  "$dq" lint "$file"
  code=$?
  [ $code -eq 2 ] && exit 2
  [ $code -ne 0 ] && status=1
  if git cat-file -e "$base:$file" 2>/dev/null; then
    git show "$base:$file" > "$old"
    "$dq" diff "$old" "$file" --format markdown >> "$output"
    code=$?
    [ $code -eq 2 ] && exit 2
    [ $code -ne 0 ] && status=1
  else
    printf '### dq: new contract `%s`\n\n' "$file" >> "$output"
  fi
  echo >> "$output"
done
[ ${#files[@]} -eq 0 ] && echo "No contract changed." >> "$output"
exit $status

#!/usr/bin/env bash
# Checks the Dockerfile as far as a machine without a container engine can (ctest: docker_image_layout).
# Usage: docker_image_test.sh SOURCE_DIR INGESTD_BINARY WORK_DIR
#
#  1. every file the Dockerfile COPYs from the context exists and .dockerignore does not drop it, and the
#     config it stages into /etc/ingestd exists;
#  2. both stages are Debian bookworm;
#  3. every package in docker/runtime-packages.txt is known to apt;
#  4. those packages' files (dpkg -L) provide every shared library `ldd` says the binary needs;
#  5. the binary runs from the image's layout (/usr/local/bin, /etc/ingestd with the config and the
#     taxonomy) as the image's user (uid 10001), with an empty environment: --version and check-config.
# What it cannot check: that `docker build` succeeds (the build stage's apt-get and make), the image's
# base packages (debian:bookworm-slim is assumed to hold bash, coreutils and libc6), and HEALTHCHECK.
set -euo pipefail

src=$1
binary=$2
work=$3
dockerfile="$src/Dockerfile"
packages_file="$src/docker/runtime-packages.txt"
problems=0
problem() { echo "FAIL $*"; problems=$((problems + 1)); }

for tool in apt-cache dpkg ldd; do
  command -v "$tool" >/dev/null || { echo "SKIP: $tool is not installed (not a Debian machine)"; exit 77; }
done
[[ -x "$binary" ]] || { echo "FAIL no ingestd binary at $binary (make build)"; exit 1; }

# 1. COPY sources (not --from=build ones) exist and are not excluded from the context.
mapfile -t copies < <(sed -e ':a' -e '/\\$/N; s/\\\n//; ta' "$dockerfile" | grep -E '^COPY ' | grep -v -- '--from=')
[[ ${#copies[@]} -gt 0 ]] || problem "no COPY in $dockerfile"
ignored() { # PATH: does a .dockerignore pattern (no '!' rules used here) match it or a parent?
  local p=$1 pat
  while IFS= read -r pat; do
    pat=${pat%%#*}; pat=${pat#/}; pat=${pat%/}; pat=${pat#\*\*/}
    [[ -z "${pat// }" ]] && continue
    local part=$p
    while [[ -n "$part" ]]; do
      # shellcheck disable=SC2053
      [[ "$part" == $pat || "$(basename "$part")" == $pat ]] && return 0
      [[ "$part" == */* ]] && part=${part%/*} || part=""
    done
  done < "$src/.dockerignore"
  return 1
}
for line in "${copies[@]}"; do
  read -r -a words <<<"$line"
  for ((i = 1; i < ${#words[@]} - 1; i++)); do
    s=${words[$i]%/}
    [[ "$s" == --* ]] && continue
    [[ "$s" == "." ]] && continue
    if [[ ! -e "$src/$s" ]]; then
      problem "Dockerfile copies $s, which does not exist in the repository"
    elif ignored "$s"; then
      problem "Dockerfile copies $s, which .dockerignore excludes from the context"
    else
      echo "ok: COPY $s"
    fi
  done
done
grep -q 'COPY --from=build /src/build/ingestd /usr/local/bin/ingestd' "$dockerfile" ||
  problem "the runtime stage does not copy build/ingestd to /usr/local/bin/ingestd"
# /etc/ingestd is staged in the build stage from config/ (the production config, and the taxonomy when the
# repository has one); step 5 rebuilds the same layout and runs the same check-config.
grep -q 'COPY --from=build /out/etc/ingestd/ /etc/ingestd/' "$dockerfile" ||
  problem "the runtime stage does not copy the staged /etc/ingestd"
grep -q 'cp config/ingestd.yaml /out/etc/ingestd/ingestd.yaml' "$dockerfile" ||
  problem "the build stage does not stage config/ingestd.yaml"
grep -q 'COPY --from=build /src/build/taxonomy/countries.yaml /usr/local/share/ingestd/taxonomy/countries.yaml' \
  "$dockerfile" || problem "the runtime stage does not copy the generated countries beside the binary"
[[ -f "$src/config/ingestd.yaml" ]] || problem "config/ingestd.yaml, which the image ships, does not exist"
if [[ -d "$src/config/taxonomy" ]]; then echo "ok: config/taxonomy ships"; else echo "NOTE: no config/taxonomy yet; the image ships none"; fi
grep -q 'docker/runtime-packages.txt' "$dockerfile" || problem "the Dockerfile does not install docker/runtime-packages.txt"

# 2. Debian bookworm in both stages, a non-root user, a health check.
mapfile -t froms < <(grep -E '^FROM ' "$dockerfile" | awk '{print $2}')
[[ ${#froms[@]} -ge 2 ]] || problem "expected a multi-stage build"
for f in "${froms[@]}"; do [[ "$f" == debian:bookworm* ]] || problem "base image $f is not debian:bookworm"; done
grep -qE '^USER 10001' "$dockerfile" || problem "the image does not run as uid 10001"
grep -qE '^HEALTHCHECK ' "$dockerfile" || problem "no HEALTHCHECK"

# 3. Each runtime package is known to apt.
mapfile -t packages < <(sed -e 's/#.*//' -e 's/[[:space:]]//g' "$packages_file" | grep -v '^$')
known=" $(apt-cache show --no-all-versions "${packages[@]}" 2>/dev/null | sed -n 's/^Package: //p' | tr '\n' ' ') "
for p in "${packages[@]}"; do
  if [[ "$known" == *" $p "* ]]; then echo "ok: apt knows $p"; else problem "apt does not know package $p"; fi
done

# 4. ldd's needs are in those packages' files (compared after resolving symlinks: merged /usr).
declare -A provided=()
for p in "${packages[@]}"; do
  if ! files=$(dpkg -L "$p" 2>/dev/null); then
    problem "package $p is not installed here, so its files cannot be checked (scripts/install-deps.sh installs its -dev package)"
    continue
  fi
  while IFS= read -r f; do
    provided[$f]=$p
  done < <(grep -E '\.so' <<<"$files" | xargs -r -d '\n' readlink -e || true)
done
while read -r lib _ path _; do
  [[ "$lib" == linux-vdso* ]] && continue
  if [[ "$path" == "not" ]]; then problem "ldd: $lib not found"; continue; fi
  [[ "$lib" == /* ]] && path=$lib  # the dynamic loader is listed by path
  real=$(readlink -f "$path")
  if [[ -n "${provided[$real]:-}" ]]; then
    echo "ok: $lib from ${provided[$real]}"
  else
    problem "$lib ($real) is in no package of docker/runtime-packages.txt (it comes from: $(dpkg -S "$real" 2>/dev/null | cut -d: -f1 | head -1))"
  fi
done < <(ldd "$binary" | sed -e 's/(0x[0-9a-f]*)//')

# 5. The image's layout, in a temporary root, run as the image's user.
# The root is a temporary dir of its own, open to the image's user: the build tree's
# parents may be private (a checkout in a mode-0700 temporary dir).
root_parent=$(mktemp -d /tmp/ingestd-image.XXXXXX)
trap 'rm -rf "$root_parent"' EXIT
chmod 755 "$root_parent"
root="$root_parent/root"
mkdir -p "$root/usr/local/bin" "$root/etc/ingestd"
cp "$binary" "$root/usr/local/bin/ingestd"
[[ -f "$src/config/ingestd.yaml" ]] && cp "$src/config/ingestd.yaml" "$root/etc/ingestd/ingestd.yaml"
[[ -d "$src/config/taxonomy" ]] && cp -r "$src/config/taxonomy" "$root/etc/ingestd/taxonomy"
# The countries generated at build time, where the Dockerfile puts them (found beside the binary).
generated="$(dirname "$binary")/taxonomy/countries.yaml"
if [[ -f "$generated" ]]; then
  mkdir -p "$root/usr/local/share/ingestd/taxonomy"
  cp "$generated" "$root/usr/local/share/ingestd/taxonomy/countries.yaml"
fi
chmod -R a+rX "$root"
as_image_user=()
if [[ $(id -u) -eq 0 ]] && command -v setpriv >/dev/null; then
  as_image_user=(setpriv --reuid=10001 --regid=10001 --clear-groups)
fi
run() { (cd / && env -i PATH=/usr/bin:/bin "${as_image_user[@]}" "$@"); }
if out=$(run "$root/usr/local/bin/ingestd" --version 2>&1); then echo "ok: $out"; else problem "--version: $out"; fi
if out=$(run "$root/usr/local/bin/ingestd" check-config --config "$root/etc/ingestd/ingestd.yaml" 2>&1); then
  echo "ok: check-config accepts /etc/ingestd/ingestd.yaml in the image layout"
else
  problem "check-config in the image layout: $out"
fi

if [[ $problems -gt 0 ]]; then
  echo "docker_image_layout: $problems problem(s)"
  exit 1
fi
echo "docker_image_layout: ok"

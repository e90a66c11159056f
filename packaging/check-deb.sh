#!/usr/bin/env bash
# Checks what the release preset installs and packages. Run from the repository root after
#   cmake --workflow --preset release        # configure, build, build the .deb files
# It checks:
#   1. `cmake --install build/release --prefix DIR` as an unprivileged user stays inside DIR
#      (the config goes to DIR/etc, not /etc);
#   2. the packages' control data: computed Depends, the virtual weft-plugin-abi-N, the conffile,
#      Debian's systemd maintainer scripts, the layout, the -dbgsym package with the debug info;
#   3. lintian reports no error (when lintian is installed; ./packaging/install-deps.sh --package).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
build=build/release
packages=$build/packages
fail() { echo "check-deb.sh: $*" >&2; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# --- 1. Unprivileged install into a prefix ---------------------------------------------------
prefix=$work/prefix
# As root, the install runs as nobody, if nobody can read the tree (a checkout under /root cannot
# be): then the manifest check below is what proves the install stayed inside the prefix.
if [ "$(id -u)" -eq 0 ] && runuser -u nobody -- test -r "$PWD/$build/cmake_install.cmake" &&
    runuser -u nobody -- test -r "$PWD/README.md"; then
    # nobody may write the prefix and the manifest that cmake --install leaves in the build tree,
    # and nothing else: a path outside the prefix fails with "permission denied".
    chmod 755 "$work"
    install -d -o nobody "$prefix"
    for manifest in "$build"/install_manifest*.txt; do rm -f "$manifest"; done
    install -m 666 /dev/null "$build/install_manifest.txt"
    as_user=(runuser -u nobody --)
else
    [ "$(id -u)" -ne 0 ] || echo "check-deb.sh: nobody cannot read $PWD; installing as root"
    as_user=()
fi
"${as_user[@]}" cmake --install "$build" --prefix "$prefix" >"$work/install.log" 2>&1 ||
    { cat "$work/install.log"; fail "unprivileged cmake --install --prefix failed"; }
for f in bin/weftd etc/weft/weftd.json share/weft/weftd.schema.json share/weft/grafana/weft-dashboard.json lib/systemd/system/weftd.service \
    lib/weft/plugins/heartbeat.so share/man/man8/weftd.8.gz share/man/man5/weftd.json.5.gz \
    include/weft/plugin.h share/pkgconfig/weft-plugin-sdk.pc; do
    [ -e "$prefix/$f" ] || fail "cmake --install --prefix lacks $f"
done
while read -r installed; do
    case "$installed" in "$prefix"/*) ;; *) fail "cmake --install --prefix wrote $installed" ;; esac
done <"$build/install_manifest.txt"
installed_count=$(wc -l <"$build/install_manifest.txt")
rm -f "$build/install_manifest.txt"
user=$(id -un)
[ ${#as_user[@]} -eq 0 ] || user=nobody
echo "check-deb.sh: cmake --install --prefix as $user: $installed_count files, all inside the prefix"

# --- 2. The packages ---------------------------------------------------------------------------
shopt -s nullglob
daemon=("$packages"/weft_*.deb)
sdk=("$packages"/weft-dev_*_all.deb)
dbgsym=("$packages"/weft-dbgsym_*.ddeb)
runtime=("$packages"/libweft-runtime-dev_*.deb)
[ ${#daemon[@]} -eq 1 ] || fail "expected one weft_*.deb in $packages, found ${#daemon[@]}"
[ ${#sdk[@]} -eq 1 ] || fail "expected one weft-dev_*_all.deb in $packages"
[ ${#dbgsym[@]} -eq 1 ] || fail "expected one weft-dbgsym_*.ddeb in $packages"
[ ${#runtime[@]} -eq 1 ] || fail "expected one libweft-runtime-dev_*.deb in $packages"

field() { dpkg-deb --field "$1" "$2"; }
contains() { grep -q -- "$2" <<<"$1" || fail "$3"; }
contains "$(field "${daemon[0]}" Depends)" 'libc6 (>=' "weft's Depends are not computed by dpkg-shlibdeps"
contains "$(field "${daemon[0]}" Depends)" 'libuv1 (>=' "weft does not depend on libuv1"
contains "$(field "${daemon[0]}" Provides)" 'weft-plugin-abi-1' "weft does not provide weft-plugin-abi-1"
[ "$(field "${sdk[0]}" Architecture)" = all ] || fail "weft-dev is not Architecture: all"

dpkg-deb --control "${daemon[0]}" "$work/control"
[ "$(cat "$work/control/conffiles")" = /etc/weft/weftd.json ] ||
    fail "the conffiles are not exactly /etc/weft/weftd.json: $(cat "$work/control/conffiles")"
contains "$(cat "$work/control/postinst")" "deb-systemd-helper enable 'weftd.service'" \
    "postinst does not enable weftd.service"
contains "$(cat "$work/control/postinst")" "deb-systemd-invoke" "postinst does not start weftd"
contains "$(cat "$work/control/prerm")" "deb-systemd-invoke stop 'weftd.service'" \
    "prerm does not stop weftd.service"
contains "$(cat "$work/control/postrm")" "deb-systemd-helper purge" "postrm does not purge"

contents=$(dpkg-deb --contents "${daemon[0]}")
for f in ./usr/bin/weftd ./etc/weft/weftd.json ./usr/share/weft/weftd.schema.json ./usr/share/weft/grafana/weft-dashboard.json \
    ./usr/lib/systemd/system/weftd.service ./usr/lib/weft/plugins/producer.so \
    ./usr/share/man/man8/weftd.8.gz ./usr/share/man/man5/weftd.json.5.gz \
    ./usr/share/doc/weft/copyright ./usr/share/doc/weft/changelog.Debian.gz; do
    contains "$contents" " $f\$" "weft lacks $f"
done
dpkg-deb --extract "${daemon[0]}" "$work/weft"
file "$work/weft/usr/bin/weftd" | grep -q ', stripped' || fail "weftd is not stripped"
contains "$(dpkg-deb --contents "${dbgsym[0]}")" './usr/lib/debug/.build-id/' \
    "weft-dbgsym holds no debug info"
contains "$(dpkg-deb --contents "${sdk[0]}")" './usr/include/weft/plugin.h$' "weft-dev lacks plugin.h"
runtime_contents=$(dpkg-deb --contents "${runtime[0]}")
for f in '/libweft-runtime\.a$' '/cmake/WeftRuntime/WeftRuntimeConfig\.cmake$' \
    './usr/include/weft-runtime/runtime/runtime\.hpp$' './usr/share/doc/libweft-runtime-dev/copyright$'; do
    contains "$runtime_contents" "$f" "libweft-runtime-dev lacks $f"
done
contains "$(field "${runtime[0]}" Depends)" 'libuv1-dev' "libweft-runtime-dev does not depend on libuv1-dev"
echo "check-deb.sh: $(basename "${daemon[0]}") $(basename "${sdk[0]}") $(basename "${dbgsym[0]}") $(basename "${runtime[0]}"): contents as expected"

# --- 3. lintian --------------------------------------------------------------------------------
if command -v lintian >/dev/null 2>&1; then
    # Warnings that stay are explained in the README ("Packages").
    lintian --fail-on error --display-level '>=warning' "${daemon[0]}" "${sdk[0]}" "${runtime[0]}" |
        tee "$work/lintian.txt"
    echo "check-deb.sh: lintian: no error ($(grep -c '^W: ' "$work/lintian.txt" || true) warnings)"
else
    echo "check-deb.sh: lintian is not installed (./packaging/install-deps.sh --package): skipped"
fi
echo "check-deb.sh: all passed"

#!/usr/bin/env bash
# Builds the gateway packages into artifacts/packages/:
#   edgeagent-VERSION-linux-{x64,arm64}.tar.gz   self-contained, unpack anywhere and run ./edgeagent
#   edgeagent_VERSION_{amd64,arm64}.deb          /usr/lib/edgeagent, /usr/bin/edgeagent, /etc/edgeagent, the unit
# Usage: packaging/build.sh [VERSION]   (default: <Version> in Directory.Build.props; also what `edgeagent --version` says)
# Needs: the .NET SDK (the linux-x64/linux-arm64 runtime packs restore from the package feed), dpkg-deb, readelf.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

version="${1:-$(sed -n 's:.*<Version>\(.*\)</Version>.*:\1:p' Directory.Build.props | head -1)}"
if ! [[ "$version" =~ ^[0-9]+\.[0-9]+\.[0-9]+([.~+-][0-9A-Za-z.~+-]*)?$ ]]; then
  echo "build.sh: version '$version' is not MAJOR.MINOR.PATCH[-suffix]" >&2
  exit 2
fi
out="$root/artifacts/packages"
work="$root/artifacts/packaging"
rm -rf "$out" "$work/stage"
mkdir -p "$out" "$work/stage"

# Native libraries the runtime may load at all. A new one in a publish output fails the build until its Debian
# package is in Depends below.
allowed_needed='^(ld-linux-x86-64\.so\.2|ld-linux-aarch64\.so\.1|libc\.so\.6|libdl\.so\.2|libm\.so\.6|libpthread\.so\.0|librt\.so\.1|libgcc_s\.so\.1|libstdc\+\+\.so\.6|libmscordaccore\.so)$'

for rid in linux-x64 linux-arm64; do
  case "$rid" in linux-x64) arch=amd64 ;; linux-arm64) arch=arm64 ;; esac
  app="$work/stage/$rid/app"
  echo "build.sh: publishing $rid (self-contained, ReadyToRun), version $version"
  # Own intermediate folders (--artifacts-path): a RID-specific restore must not rewrite the obj/ the
  # framework-dependent build of the tests uses.
  dotnet publish src/EdgeAgent/EdgeAgent.csproj -c Release -r "$rid" --self-contained \
    -p:PublishReadyToRun=true -p:Version="$version" \
    --artifacts-path "$work/build" -o "$app" -nologo -v quiet
  # The LTTng trace provider needs liblttng-ust, which a gateway does not have; without this file the runtime simply
  # does not emit LTTng events (it is optional by design).
  rm -f "$app/libcoreclrtraceptprovider.so"

  # Depends from what the binaries really need: the newest glibc symbol version, and no unexpected library.
  needed=$(for f in "$app"/*.so "$app/edgeagent"; do readelf -d "$f" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'; done | sort -u)
  if unexpected=$(grep -Ev "$allowed_needed" <<<"$needed"); then
    echo "build.sh: $rid needs libraries not covered by Depends: $unexpected" >&2
    exit 1
  fi
  glibc=$(for f in "$app"/*.so "$app/edgeagent"; do readelf -V -W "$f" | grep -o 'GLIBC_[0-9.]*'; done | sed 's/GLIBC_//' | sort -uV | tail -1)
  # OpenSSL is opened at run time (TLS: MQTT over TLS, OPC UA security), any of these sonames. ICU is not needed:
  # the agent runs with invariant globalization, checked here so the claim cannot drift.
  grep -q '"System.Globalization.Invariant": true' "$app/edgeagent.runtimeconfig.json" || {
    echo "build.sh: $rid is not built with InvariantGlobalization: it would need libicu in Depends" >&2
    exit 1
  }
  depends="libc6 (>= $glibc), libgcc-s1, libstdc++6, libssl3 | libssl3t64 | libssl1.1, adduser"

  # Tarball: one folder, the app plus the starting config and the unit.
  name="edgeagent-$version-$rid"
  tree="$work/stage/$rid/$name"
  mkdir -p "$tree"
  cp -a "$app/." "$tree/"
  cp packaging/edgeagent.yaml packaging/edgeagent.service "$tree/"
  tar --sort=name --owner=0 --group=0 --numeric-owner --mtime='2000-01-01 00:00Z' \
    -C "$work/stage/$rid" -czf "$out/$name.tar.gz" "$name"

  # Debian package.
  deb="$work/stage/$rid/deb"
  install -d "$deb/DEBIAN" "$deb/usr/lib/edgeagent" "$deb/usr/bin" "$deb/etc/edgeagent" "$deb/lib/systemd/system" \
    "$deb/usr/share/doc/edgeagent"
  cp -a "$app/." "$deb/usr/lib/edgeagent/"
  ln -s ../lib/edgeagent/edgeagent "$deb/usr/bin/edgeagent"
  install -m 0644 packaging/edgeagent.yaml "$deb/etc/edgeagent/edgeagent.yaml"
  install -m 0644 packaging/edgeagent.service "$deb/lib/systemd/system/edgeagent.service"
  install -m 0644 README.md "$deb/usr/share/doc/edgeagent/README.md"
  install -m 0644 packaging/debian/conffiles "$deb/DEBIAN/conffiles"
  install -m 0755 packaging/debian/postinst packaging/debian/prerm packaging/debian/postrm "$deb/DEBIAN/"
  size=$(du -sk --exclude=DEBIAN "$deb" | cut -f1)
  sed -e "s/@VERSION@/$version/" -e "s/@ARCH@/$arch/" -e "s/@INSTALLED_SIZE@/$size/" -e "s/@DEPENDS@/$depends/" \
    packaging/debian/control.in >"$deb/DEBIAN/control"
  chmod -R u=rwX,go=rX "$deb/usr" "$deb/lib" "$deb/etc"
  dpkg-deb --root-owner-group -Zxz --build "$deb" "$out/edgeagent_${version}_${arch}.deb" >/dev/null
done

(cd "$out" && sha256sum ./*.tar.gz ./*.deb >SHA256SUMS && ls -l --block-size=K ./*.tar.gz ./*.deb)

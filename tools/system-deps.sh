#!/bin/sh
# Install (as root) or list (otherwise) the Debian/Ubuntu packages docgen needs.
#   tools/system-deps.sh run    what docgen needs to run: Pango and HarfBuzz's subsetter
#   tools/system-deps.sh test   plus what the tests use: poppler-utils, qpdf, LibreOffice (Writer),
#                               Chromium (Playwright drives it; its own browser download is unreachable)
set -eu

RUN="libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 libfontconfig1"
TEST="poppler-utils qpdf libreoffice-writer-nogui chromium"

case "${1:-run}" in
  run) wanted="$RUN" ;;
  test) wanted="$RUN $TEST" ;;
  *) echo "usage: $0 run|test" >&2; exit 2 ;;
esac

# python3 -m venv needs Debian's python3-venv when Python itself came from apt.
if ! python3 -c "import ensurepip" >/dev/null 2>&1; then
  wanted="$wanted python3-venv"
fi

if ! command -v dpkg-query >/dev/null 2>&1; then
  echo "不是 Debian/Ubuntu 系统：请自行安装 Pango、HarfBuzz（含 hb-subset）、poppler-utils、qpdf；测试还需要 /usr/bin/chromium。" >&2
  exit 0
fi

missing=""
for pkg in $wanted; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
    missing="$missing $pkg"
  fi
done

[ -z "$missing" ] && exit 0

if [ "$(id -u)" = "0" ]; then
  echo "安装系统软件包：$missing"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  # shellcheck disable=SC2086
  apt-get install -y -q --no-install-recommends $missing
else
  echo "缺少以下系统软件包，请先运行：" >&2
  echo "  sudo apt-get install$missing" >&2
  exit 1
fi

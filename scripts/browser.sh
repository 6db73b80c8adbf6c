# Sourced by scripts/test and CI: makes sure Debian's Chromium and ChromeDriver are installed
# for the browser tests (tests/api/browser.rs drives /usr/bin/chromium through
# /usr/bin/chromedriver). Installs them with apt-get when missing and run as root.

ensure_chromium_installed() {
    [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ] && return 0
    if [ "$(id -u)" != 0 ]; then
        echo "chromium or chromedriver missing: install Debian's chromium and chromium-driver" >&2
        return 1
    fi
    echo "chromium not found; installing Debian's chromium and chromium-driver" >&2
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null
}

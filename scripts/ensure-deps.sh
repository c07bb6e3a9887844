# Sourced by start.sh and test.sh: installs node_modules exactly from the lockfile when they are
# missing or older than package-lock.json (npm writes node_modules/.package-lock.json on install).
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "[scripts] installing dependencies (npm ci)…"
  npm ci
fi

# Headless Chromium for the dashboard e2e test (driven by playwright-core, which downloads no
# browser): Debian's `chromium` package. Installed when missing if we may (root with apt-get);
# otherwise a message says what to install. Never fatal here: only that one test needs it, and it
# fails with the same message.
CHAT_CHROMIUM="${CHROMIUM_PATH:-/usr/bin/chromium}"
if [ ! -x "$CHAT_CHROMIUM" ]; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "[scripts] installing chromium (apt-get) for the dashboard e2e test…"
    # Package lists can be stale or absent (fresh containers): refresh only if the install fails.
    if ! DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends chromium; then
      echo "[scripts] chromium install failed; refreshing package lists (apt-get update) and retrying…"
      DEBIAN_FRONTEND=noninteractive apt-get update \
        && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends chromium \
        || echo "[scripts] WARNING: could not install chromium; the dashboard e2e test will fail." >&2
    fi
  else
    echo "[scripts] NOTE: $CHAT_CHROMIUM is missing. The dashboard e2e test needs headless Chromium:" >&2
    echo "[scripts]   sudo apt-get install -y --no-install-recommends chromium   (Debian/Ubuntu)" >&2
    echo "[scripts]   or set CHROMIUM_PATH to an installed Chromium/Chrome binary." >&2
  fi
fi
unset CHAT_CHROMIUM

# The deploy checks render the Kubernetes manifests with the real kustomize (`kubectl kustomize`,
# kubectl 1.27+). Not a Debian package, so not installed here: say so up front instead of letting
# the deploy-checks tests fail later with the same hint.
if ! command -v kubectl >/dev/null 2>&1; then
  echo "[scripts] NOTE: kubectl is missing; the deploy-checks tests render manifests with 'kubectl kustomize'." >&2
  echo "[scripts]   install kubectl 1.27 or newer: https://kubernetes.io/docs/tasks/tools/" >&2
fi

# Sourced by start.sh and test.sh: installs node_modules exactly from the lockfile when they are
# missing or older than package-lock.json (npm writes node_modules/.package-lock.json on install).
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "[scripts] installing dependencies (npm ci)…"
  npm ci
fi

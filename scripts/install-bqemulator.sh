#!/usr/bin/env bash
# Installs the BigQuery emulator (bqemulator, Apache-2.0) into its own virtual
# environment so that the tests can start it with no network access.
#
# Usage: bash scripts/install-bqemulator.sh VENV_DIR
#
# Why its own environment: bqemulator pins an older sqlglot and its own duckdb,
# pulls ~600 MB (fastapi, grpc, pyarrow) the app does not need, and ships a
# pytest plugin that breaks pytest when testcontainers is missing.
#
# Why the spatial extension step: at start-up the emulator loads DuckDB's
# `spatial` extension and would download it from the internet. We install the
# extension from PyPI instead and import it once into DuckDB's extension
# folder under a HOME of the project's own (.bqemu-home); the test fixture
# runs the emulator with that same HOME, so it finds the extension offline.
set -euo pipefail

VENV_DIR="${1:?usage: $0 VENV_DIR}"
PYTHON="${PYTHON:-python3}"
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
case "$VENV_DIR" in
  /*) ;;
  *) VENV_DIR="$ROOT/$VENV_DIR" ;;
esac
BQEMU_HOME="${BQEMU_HOME:-$ROOT/.bqemu-home}"

if [ ! -x "$VENV_DIR/bin/python" ]; then
  "$PYTHON" -m venv "$VENV_DIR"
fi
"$VENV_DIR/bin/python" -m pip install --quiet --upgrade pip
# numpy is needed at run time but bqemulator does not declare it.
"$VENV_DIR/bin/python" -m pip install --quiet \
  bqemulator==1.4.0 numpy duckdb==1.5.5 duckdb-extensions \
  duckdb-extension-spatial==1.5.5

mkdir -p "$BQEMU_HOME"
HOME="$BQEMU_HOME" "$VENV_DIR/bin/python" -c \
  "from duckdb_extensions import import_extension; import_extension('spatial')"
# Prove it loads without the network, so a broken install fails here and not
# in the middle of the test run.
HOME="$BQEMU_HOME" "$VENV_DIR/bin/python" -c \
  "import duckdb; c = duckdb.connect(); c.execute('SET autoinstall_known_extensions=false'); c.execute('LOAD spatial')"
echo "bqemulator installed in $VENV_DIR (DuckDB extensions under $BQEMU_HOME)"

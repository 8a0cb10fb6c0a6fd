#!/usr/bin/env bash
# Print the path of a Python 3.10 interpreter (Rasa 3.6 needs < 3.11), or explain how to get one.
set -u
for candidate in "${PYTHON310:-}" python3.10 "$HOME"/.pyenv/versions/3.10*/bin/python3.10 \
                 /root/.pyenv/versions/3.10*/bin/python3.10 /usr/local/bin/python3.10 /usr/bin/python3.10; do
  [ -n "$candidate" ] || continue
  path=$(command -v "$candidate" 2>/dev/null) || continue
  if "$path" -c 'import sys, venv; sys.exit(sys.version_info[:2] != (3, 10))' 2>/dev/null; then
    echo "$path"
    exit 0
  fi
done
cat >&2 <<'MSG'
找不到 Python 3.10。Rasa 3.6 只能在 Python 3.10 上运行。
No Python 3.10 found: Rasa 3.6 needs Python 3.10 (it does not install on 3.11+).
Install one, then run the command again, e.g.:
  pyenv install 3.10.13                      (with pyenv)
  apt-get install python3.10 python3.10-venv (where the distribution has it)
or point PYTHON310 at an interpreter: PYTHON310=/path/to/python3.10 make run
MSG
exit 1

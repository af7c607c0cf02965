#!/bin/sh
# Intake's container entrypoint. For every environment variable NAME_FILE it sets NAME to the
# content of that file (a Docker secret under /run/secrets), so that passwords and connection
# strings never appear in compose.yaml, in `docker inspect` or in the image. Then it runs the
# command (Intake.Web by default, or `intake migrate`).
set -eu
for name in $(env | sed -n 's/^\([A-Za-z_][A-Za-z0-9_]*\)_FILE=.*$/\1/p'); do
  eval "file=\${${name}_FILE}"
  if [ ! -r "$file" ]; then
    echo "intake-entrypoint: ${name}_FILE names $file, which this container cannot read" >&2
    exit 1
  fi
  value=$(cat "$file")
  export "$name=$value"
  unset "${name}_FILE"
done
exec "$@"

#!/bin/sh
# SPDX-License-Identifier: MIT
# Prints the configuration variable names of src/conf/conf_vars.c's
# table, space separated, for the bash completion (dist/meson.build).
sed -n 's/^[[:space:]]*\(I(\|{\)"\([A-Za-z0-9]*\)".*/\2/p' "$1" | sort | tr '\n' ' ' | sed 's/ $//'

# The Deno permissions of mlp, shared by bin/mlp and `make build` (deno compile bakes them in).
# Why each one is needed, and what they do not cover: docs/architecture.md ("Permissions").
MLP_PERMISSIONS=(
  --allow-read
  --allow-write
  --allow-run=git,uv,copier,pg_dump,pg_restore,psql,ssh-keygen
  --allow-env
  --allow-net
)

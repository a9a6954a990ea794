# The Deno permissions of mlp, shared by bin/mlp and `make build` (deno compile bakes them in).
# Why each one is needed is written in docs/architecture.md ("Permissions").
MLP_PERMISSIONS=(
  --allow-read
  --allow-write
  --allow-run=git,uv
  --allow-env
  --allow-net
  --allow-sys=hostname,osRelease,cpus,systemMemoryInfo
  --ignore-env=LOG_TOKENS,LOG_STREAM
)
